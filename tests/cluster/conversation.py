"""A policyholder reporting their line to the assistant, as a person would: they read what the
assistant asks and answer it; a message left without an answer, or answered with a technical
problem, is sent again (with the same id, as the widget does); they stop at the reference.

Used by the fault test, the cluster test and the cluster benchmark. Every turn is recorded:
what was sent, how long the answer took, what the assistant said (by the name of its response
in domain.yml), so that a test can say exactly what went wrong and when.
"""

from __future__ import annotations

import asyncio
import re
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
import yaml

from tests.bot.stack import ROOT
from tests.cluster.population import Person

REFERENCE = re.compile(r"SIG-\d{4}-\d{6,}")
# What the channels say without a response of the domain (bot/channels/failures.py).
CHANNEL_TROUBLE = "problème technique"
DESCRIPTION = "Cette couronne n'a jamais été posée, je ne suis jamais allé chez ce dentiste."
RETRY_PAUSE_S = 1.0


def _response_patterns() -> list[tuple[str, re.Pattern[str]]]:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    patterns = []
    for name, variants in domain["responses"].items():
        for variant in variants:
            text = variant.get("text")
            if text:
                parts = re.split(r"\{[a-z_]+\}", text)
                patterns.append((name, re.compile(".*?".join(map(re.escape, parts)), re.S)))
    return patterns


PATTERNS = _response_patterns()


def response_name(text: str) -> str:
    """The domain response a message of the assistant is (« ? » when none)."""
    for name, pattern in PATTERNS:
        if pattern.fullmatch(text):
            return name
    return "channel_trouble" if CHANNEL_TROUBLE in text else "?"


@dataclass
class Turn:
    sent: str
    message_id: str
    attempt: int
    seconds: float
    status: int | None
    said: list[str]  # names of the responses


@dataclass
class Outcome:
    person: Person
    reference: str | None = None
    turns: list[Turn] = field(default_factory=list)
    error: str | None = None

    @property
    def silent_turns(self) -> list[Turn]:
        """Turns answered 200 with nothing at all: never acceptable."""
        return [t for t in self.turns if t.status == 200 and not t.said]

    @property
    def told_of_trouble(self) -> int:
        troubles = {"utter_technical_problem", "channel_trouble", "utter_report_filing_failed",
                    "utter_claims_unavailable"}  # fmt: skip
        return sum(1 for t in self.turns if troubles & set(t.said))


def _button(answer: list[dict[str, Any]], contains: str) -> str | None:
    for message in answer:
        for button in message.get("buttons") or []:
            if contains in str(button.get("payload")):
                return str(button["payload"])
    return None


def _button_or_fail(person: Person, answer: list[dict[str, Any]], contains: str) -> str:
    payload = _button(answer, contains)
    if payload is None:
        raise AssertionError(f"{person.username}: no button {contains!r} in {answer}")
    return payload


def next_message(person: Person, answer: list[dict[str, Any]], names: list[str]) -> str | None:
    """What the person answers to what the assistant just said; None when they are done."""
    last = names[-1] if names else "?"
    if "utter_report_filed" in names:
        return None
    if last in ("utter_ask_care_date", "utter_care_date_not_understood"):
        return f"le {person.typed_date}"
    if last in ("utter_ask_provider", "utter_provider_not_understood"):
        return person.provider
    if last in ("utter_claim_single", "utter_claim_several", "utter_claim_none"):
        return _button_or_fail(person, answer, f'"claim_choice":"{person.claim_id}"')
    if last == "utter_claims_unavailable":
        return _button_or_fail(person, answer, "retry")
    if last in ("utter_ask_act_description", "utter_description_too_short"):
        return DESCRIPTION
    if last == "utter_ask_anomaly_type":
        return '/inform{"anomaly_type":"not_performed"}'
    if last in ("utter_report_summary", "utter_report_filing_failed"):
        return "/affirm"
    said = [str(m.get("text", ""))[:80] for m in answer]
    raise AssertionError(f"{person.username}: unexpected answer {names}: {said}")


@dataclass(frozen=True)
class Chat:
    """How a person reaches the assistant: the entry point and their chat token."""

    url: str
    chat_token: str
    sender: str


async def _send(client: httpx.AsyncClient, chat: Chat, text: str, message_id: str) -> Any:
    body = {"sender": chat.sender, "message": text, "message_id": message_id,
            "metadata": {"chat_token": chat.chat_token}}  # fmt: skip
    return await client.post(f"{chat.url}/webhooks/rest/webhook", json=body)


async def converse(
    client: httpx.AsyncClient, chat: Chat, person: Person, *, deadline: float, think: float = 0
) -> Outcome:
    """The whole report, from the opening message to the reference."""
    outcome = Outcome(person)
    text: str | None = "je veux signaler un remboursement suspect"
    while text is not None:
        message_id, attempt = secrets.token_hex(8), 0
        while True:
            if time.monotonic() > deadline:
                outcome.error = f"no reference before the deadline (last sent: {text!r})"
                return outcome
            attempt += 1
            started = time.perf_counter()
            try:
                response = await _send(client, chat, text, message_id)
                status = response.status_code
                answer = response.json() if response.is_success else []
            except (httpx.HTTPError, ValueError) as error:
                status, answer = None, []
                outcome.error = type(error).__name__
            names = [response_name(str(m.get("text", ""))) for m in answer]
            outcome.turns.append(
                Turn(text, message_id, attempt, time.perf_counter() - started, status, names)
            )
            troubled = not names or {"utter_technical_problem", "channel_trouble"} & set(names)
            if not troubled:
                break
            await asyncio.sleep(RETRY_PAUSE_S)  # the person waits a moment, then sends again
        found = REFERENCE.search(" ".join(str(m.get("text", "")) for m in answer))
        if found:
            outcome.reference, outcome.error = found[0], None
        try:
            text = next_message(person, answer, names)
        except AssertionError as error:
            outcome.error = f"{error} (after {text!r})"
            return outcome
        if think:
            await asyncio.sleep(think)
    return outcome
