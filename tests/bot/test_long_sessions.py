"""A long conversation through the real stack: a session at rest past `LONG_SESSION_EVENTS`
starts afresh at the next message, a report in progress is never cut, and nothing is lost."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import httpx
from bot.sessions import DEFAULT_LONG_SESSION_EVENTS
from contract.conversations import policyholder_conversation

from tests.bot.conftest import binding
from tests.bot.stack import Assistant
from tests.bot.test_end_to_end import Conversation


class LongConversation(Conversation):
    """A policyholder's conversation, with the name the channel stores it under."""

    def __init__(self, assistant: Assistant, chat: str, session: str) -> None:
        super().__init__(assistant, chat, session)
        self.assistant = assistant
        self.sender = policyholder_conversation(binding(chat)["policyholder_id"], session)

    def stored(self) -> list[tuple[str, dict[str, Any]]]:
        return stored(self.assistant, self.sender)


# Questions the assistant answers without a form (each turn adds a handful of events).
QUESTIONS = (
    "le mail information de paiement c'est une arnaque ?",
    "bonjour",
    "comment fonctionne le tiers payant ?",
    "merci beaucoup",
)


def stored(assistant: Assistant, sender: str) -> list[tuple[str, dict[str, Any]]]:
    """Every event the tracker store holds for `sender`, in order: (type, data)."""
    with sqlite3.connect(assistant.tracker_path) as connection:
        rows = connection.execute(
            "SELECT type_name, data FROM events WHERE sender_id = ? ORDER BY id", (sender,)
        ).fetchall()
    return [(kind, json.loads(data)) for kind, data in rows]


def session_starts(events: list[tuple[str, dict[str, Any]]]) -> list[int]:
    return [i for i, (kind, _) in enumerate(events) if kind == "session_started"]


def current_session_length(events: list[tuple[str, dict[str, Any]]]) -> int:
    starts = session_starts(events)
    return len(events) - (starts[-1] if starts else 0)


def chat_until(conversation: LongConversation, events: int) -> None:
    """Ask questions until the current session holds at least `events` events."""
    for turn in range(200):
        if current_session_length(conversation.stored()) >= events:
            return
        conversation.say(QUESTIONS[turn % len(QUESTIONS)])
    raise AssertionError("the session never grew")


def said_by_user(events: list[tuple[str, dict[str, Any]]]) -> list[str]:
    return [str(data.get("text")) for kind, data in events if kind == "user"]


def test_a_long_session_at_rest_starts_afresh_and_keeps_everything(
    assistant: Assistant, chat: str
) -> None:
    conversation = LongConversation(assistant, chat, "long-at-rest")
    chat_until(conversation, DEFAULT_LONG_SESSION_EVENTS + 1)
    before = conversation.stored()
    assert len(session_starts(before)) == 1
    # The last message sent again (a lost answer) is answered again, not handled in a new session.
    last = next(data for kind, data in reversed(before) if kind == "user")
    again = conversation.say(str(last["text"]), message_id=str(last["message_id"]))
    assert again and conversation.stored() == before

    answer = conversation.text(conversation.say(QUESTIONS[0]))

    after = conversation.stored()
    assert "ne contient aucun lien" in answer  # answered as in any session
    assert len(session_starts(after)) == 2
    assert after[: len(before)] == before  # the earlier session is kept as it was
    assert said_by_user(after) == [*said_by_user(before), QUESTIONS[0]]
    assert current_session_length(after) < 20


def test_a_report_in_progress_is_not_cut_and_its_transcript_is_whole(
    assistant: Assistant, api_url: str, token: str, chat: str, claims: list[dict[str, Any]]
) -> None:
    lines = [c for c in claims if c["act"]["code"] != "HBLD036"]
    line = lines[9]  # no other test's line
    day, month, year = reversed(line["care_date"].split("-"))
    conversation = LongConversation(assistant, chat, "long-report")
    chat_until(conversation, DEFAULT_LONG_SESSION_EVENTS - 12)
    opening = "je veux signaler un remboursement suspect"

    conversation.say(opening)
    conversation.say(f"le {day}/{month}/{year}")
    found = conversation.say(line["provider"]["name"].lower())
    choice = next(
        b["payload"] for m in found for b in m.get("buttons", []) if str(line["id"]) in b["payload"]
    )
    conversation.say(choice)
    conversation.say("je n'ai jamais eu ce rendez-vous, j'étais en vacances")
    filed = conversation.text(conversation.say("/affirm"))

    events = conversation.stored()
    assert "référence SIG-" in filed
    assert len(session_starts(events)) == 1  # the form crossed the limit and was not cut
    assert current_session_length(events) > DEFAULT_LONG_SESSION_EVENTS
    reference = filed.split("référence ")[1].split()[0].rstrip(".")
    report = httpx.get(
        f"{api_url}/api/v1/reports/{reference}", headers={"Authorization": f"Bearer {token}"}
    ).json()
    typed = [turn["text"] for turn in report["transcript"] if turn["sender"] == "user"]
    assert typed[0] == QUESTIONS[0] and opening in typed

    # Filed, at rest and long: the next message opens a new session.
    conversation.say("merci")
    assert len(session_starts(conversation.stored())) == 2
