"""The widget's socket.io channel against the real stack: who may connect, who hears what.

Clients are python-socketio's, over long-polling (its WebSocket client needs a newer aiohttp
than Rasa pins); the browser test covers the widget's WebSocket.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import jwt
import pytest
import socketio
from contract import tokens

from tests.bot.conftest import chat_token, sign_in
from tests.bot.stack import TEST_KEYS, Assistant

pytestmark = pytest.mark.anyio
ANSWER_WAIT_S = 30


class Widget:
    """One browser tab's socket: what it received, event by event."""

    def __init__(self) -> None:
        self.client = socketio.AsyncClient(reconnection=False)
        self.bot: list[dict[str, Any]] = []
        self.errors: list[dict[str, Any]] = []
        self.confirmed: asyncio.Queue[str] = asyncio.Queue()
        self.client.on("bot_uttered", self.bot.append)
        self.client.on("assistant_error", self.errors.append)
        self.client.on("session_confirm", self.confirmed.put_nowait)

    async def open(self, url: str, token: str | None, session_id: str) -> str:
        auth = {"token": token} if token is not None else None
        await self.client.connect(url, auth=auth, transports=["polling"], wait_timeout=10)
        await self.client.emit("session_request", {"session_id": session_id})
        return await asyncio.wait_for(self.confirmed.get(), 10)

    async def say(self, text: str, *, expect: str | None = None) -> str:
        """Send a message; wait until the answer contains `expect` (or for any answer)."""
        start = len(self.bot)
        await self.client.emit("user_uttered", {"message": text, "session_id": "ignored"})
        deadline = time.monotonic() + ANSWER_WAIT_S
        while time.monotonic() < deadline:
            answer = self.text(self.bot[start:])
            if answer and (expect is None or expect in answer):
                await asyncio.sleep(0.3)  # the rest of this turn's messages
                return self.text(self.bot[start:])
            await asyncio.sleep(0.1)
        raise AssertionError(f"no answer with {expect!r}: {self.text(self.bot[start:])!r}")

    @staticmethod
    def text(messages: list[dict[str, Any]]) -> str:
        return "\n".join(str(m.get("text", "")) for m in messages)


@asynccontextmanager
async def widget(url: str, token: str | None, session_id: str) -> AsyncIterator[Widget]:
    tab = Widget()
    await tab.open(url, token, session_id)
    try:
        yield tab
    finally:
        await tab.client.disconnect()


def forged(token: str) -> str:
    claims = jwt.decode(token, options={"verify_signature": False})
    return jwt.encode(claims, "not-the-secret-0123456789-abcdefghijkl", algorithm=tokens.ALGORITHM)


def expired(token: str) -> str:
    claims = jwt.decode(token, options={"verify_signature": False})
    now = int(time.time())
    claims[tokens.ISSUED_AT], claims[tokens.EXPIRES] = now - 3600, now - 60
    return jwt.encode(claims, TEST_KEYS[tokens.CHANNEL_KEY_ENV], algorithm=tokens.ALGORITHM)


def opening_message(claim: dict[str, Any]) -> str:
    """What « Signaler ce remboursement » sends first (chat.js)."""
    slots = {
        "care_date": claim["care_date"],
        "provider": claim["provider"]["name"],
        "claim_choice": str(claim["id"]),
    }
    return "/report_suspicious_reimbursement" + json.dumps(slots, ensure_ascii=False)


def tracker_events(assistant: Assistant, conversation: str) -> list[dict[str, Any]]:
    response = httpx.get(
        f"{assistant.url}/conversations/{conversation}/tracker",
        params={"token": assistant.auth_token},
        timeout=10,
    )
    response.raise_for_status()
    return list(response.json()["events"])


async def test_a_socket_without_a_valid_policyholder_token_is_refused(
    assistant: Assistant, api_url: str, token: str, chat: str
) -> None:
    tokens = {
        "missing": None,
        "empty": "",
        "forged": forged(chat),
        "expired": expired(chat),
        "access token": token,
        "staff": sign_in(api_url, "agent"),
        "garbage": "abc.def.ghi",
    }
    tabs = {kind: Widget() for kind in tokens}

    async def refused(kind: str) -> bool:
        try:
            await tabs[kind].open(assistant.url, tokens[kind], "essai")
        except socketio.exceptions.ConnectionError:
            return True
        return False

    # Together: a refused polling client takes a while to close its transport.
    outcomes = await asyncio.gather(*(refused(kind) for kind in tokens))
    assert dict(zip(tokens, outcomes, strict=True)) == dict.fromkeys(tokens, True)
    assert all(tab.bot == [] and not tab.client.connected for tab in tabs.values())


async def test_one_policyholder_never_receives_another_ones_messages(
    assistant: Assistant, api_url: str, chat: str
) -> None:
    other = chat_token(api_url, sign_in(api_url, "assure2"))
    # Both ask for the same session id: each still gets a conversation of their own.
    async with (
        widget(assistant.url, chat, "partagee") as camille,
        widget(assistant.url, other, "partagee") as julien,
    ):
        await camille.say("bonjour")
        await camille.say("je veux signaler un remboursement suspect", expect="date")
        await asyncio.sleep(1)
        assert julien.bot == []
        await julien.say("bonjour")
        await asyncio.sleep(1)
        assert "date" not in Widget.text(julien.bot).lower()
        camille_count = len(camille.bot)
        await julien.say("merci")
        await asyncio.sleep(1)
        assert len(camille.bot) == camille_count

    subject = jwt.decode(chat, options={"verify_signature": False})[tokens.SUBJECT]
    events = tracker_events(assistant, f"assure-{subject}-partagee")
    said = [e for e in events if e["event"] == "user"]
    assert [e["text"] for e in said] == ["bonjour", "je veux signaler un remboursement suspect"]
    # Who is talking, never the token.
    assert said[0]["metadata"]["auth"]["policyholder_id"] == int(subject)
    assert chat not in json.dumps(events)
    other_subject = jwt.decode(other, options={"verify_signature": False})[tokens.SUBJECT]
    other_said = tracker_events(assistant, f"assure-{other_subject}-partagee")
    assert [e["text"] for e in other_said if e["event"] == "user"] == ["bonjour", "merci"]


async def test_a_chosen_session_id_cannot_reach_someone_elses_conversation(
    assistant: Assistant, api_url: str, chat: str
) -> None:
    victim = jwt.decode(chat, options={"verify_signature": False})[tokens.SUBJECT]
    attacker = chat_token(api_url, sign_in(api_url, "assure3"))
    async with (
        widget(assistant.url, chat, "privee") as owner,
        widget(assistant.url, attacker, f"assure-{victim}-privee") as intruder,
    ):
        await owner.say("je veux signaler un remboursement suspect", expect="date")
        await asyncio.sleep(1)
        assert intruder.bot == []
    sanitized = tracker_events(assistant, f"assure-{victim}-privee")
    assert sum(e["event"] == "user" for e in sanitized) == 1


async def test_the_payments_page_opening_asks_for_the_description_then_files(
    assistant: Assistant, api_url: str, token: str, chat: str, claims: list[dict[str, Any]]
) -> None:
    # A line nobody reported yet (the demo's crown already is).
    line = [c for c in claims if c["act"]["code"] != "HBLD036"][-1]
    opening = opening_message(line)
    async with widget(assistant.url, chat, "depuis-la-page") as tab:
        assert "Décrivez" in await tab.say(opening, expect="Décrivez")
        summary = await tab.say(
            "cette séance n'a jamais eu lieu, je n'y suis pas allé ce jour-là",
            expect="Voici votre signalement",
        )
        assert line["provider"]["name"] in summary
        filed = await tab.say("/affirm", expect="référence")
    reference = filed.split("référence ")[1].split()[0].rstrip(".")
    stored = httpx.get(
        f"{api_url}/api/v1/reports/{reference}", headers={"Authorization": f"Bearer {token}"}
    ).json()
    assert stored["claim_id"] == line["id"]
    assert stored["channel"] == "assistant"


async def test_another_persons_claim_in_the_opening_is_not_taken(
    assistant: Assistant, api_url: str, chat: str
) -> None:
    other = sign_in(api_url, "assure2")
    theirs = httpx.get(
        f"{api_url}/api/v1/claims",
        params={"limit": 1},
        headers={"Authorization": f"Bearer {other}"},
    ).json()["items"][0]
    opening = opening_message(theirs)
    async with widget(assistant.url, chat, "pas-le-mien") as tab:
        answer = await tab.say(opening)
    assert "Décrivez" not in answer
    payloads = [r["payload"] for m in tab.bot for r in m.get("quick_replies") or []]
    assert payloads and all(f'"{theirs["id"]}"' not in p for p in payloads)
