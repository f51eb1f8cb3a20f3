"""What the actions read from a conversation: who is talking, the transcript, the key."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from contract.conversations import policyholder_of
from contract.tokens import CLOCK_LEEWAY_SECONDS
from rasa_sdk import Tracker

from actions.wording import report_opening

MAX_TURNS = 400
MAX_TURN_CHARS = 4000


@dataclass(frozen=True)
class Caller:
    """The policyholder the channel checked a chat token for, and their sign-in session."""

    policyholder_id: int
    session_id: str


def caller(tracker: Tracker) -> Caller | None:
    """Who sent the latest message, as the channel bound it (`auth` metadata, no token).

    The conversation's name must agree: only a channel names `assure-<id>` conversations,
    after checking a token for that very person.
    """
    metadata = tracker.latest_message.get("metadata") or {}
    auth = metadata.get("auth")
    if not isinstance(auth, dict):
        return None
    holder, session = auth.get("policyholder_id"), auth.get("session")
    until = auth.get("expires_at")
    if not (isinstance(holder, int) and isinstance(session, str) and session):
        return None
    if holder != policyholder_of(tracker.sender_id):
        return None
    if not isinstance(until, int) or until < time.time() - CLOCK_LEEWAY_SECONDS:
        return None
    return Caller(holder, session)


def session_expired(tracker: Tracker) -> bool:
    """The latest message came with a chat token that was no longer valid."""
    metadata = tracker.latest_message.get("metadata") or {}
    return metadata.get("auth_error") == "invalid_token"


def previous_value(tracker: Tracker, slot: str) -> Any:
    """The slot's value before the latest user message (validation sees the new one)."""
    events = tracker.events
    last_user = max(
        (i for i, event in enumerate(events) if event.get("event") == "user"), default=len(events)
    )
    for event in reversed(events[:last_user]):
        if event.get("event") == "slot" and event.get("name") == slot:
            return event.get("value")
    return None


def _button_title(payload: str, bot_event: dict[str, Any] | None, fallback: str | None) -> str:
    """What the user clicked, as they read it, rather than the button's payload."""
    buttons = ((bot_event or {}).get("data") or {}).get("buttons") or []
    for button in buttons:
        if button.get("payload") == payload:
            return str(button.get("title"))
    return fallback or payload


def transcript(tracker: Tracker) -> list[dict[str, str]]:
    """The turns of the current session, as the report's transcript (already masked)."""
    turns: list[dict[str, str]] = []
    last_bot: dict[str, Any] | None = None
    for event in tracker.events:
        kind = event.get("event")
        if kind == "session_started":
            turns = []
        elif kind in ("user", "bot") and event.get("text"):
            text = str(event["text"])
            if kind == "bot":
                last_bot = event
            elif text.startswith("/"):
                text = _button_title(text, last_bot, report_opening(text))
            stamp = datetime.fromtimestamp(float(event.get("timestamp") or 0), tz=timezone.utc)
            turns.append(
                {
                    "sender": kind,
                    "text": text[:MAX_TURN_CHARS],
                    "timestamp": stamp.isoformat(),
                }
            )
    return turns[-MAX_TURNS:]


def new_report_key(tracker: Tracker) -> str:
    """An idempotency key for the report being built: stable across retries of its filing."""
    started = next(
        (
            event.get("timestamp")
            for event in reversed(tracker.events)
            if event.get("event") == "active_loop" and event.get("name") == "report_form"
        ),
        None,
    )
    seed = f"{tracker.sender_id}:{started}:{len(tracker.events)}"
    return "conv-" + hashlib.sha256(seed.encode()).hexdigest()[:40]
