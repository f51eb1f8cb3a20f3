"""When a session ends (`bot.sessions`): Rasa's 60-minute expiry, or a long session at rest."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest
from bot.sessions import has_session_ended, long_and_at_rest, session_length
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from tests.bot.stack import ROOT

DOMAIN = Domain.load(str(ROOT / "domain.yml"))
LIMIT = 40


def turns(count: int, at: float) -> list[Event]:
    """`count` question-and-answer turns, the last message `at` (a Unix time)."""
    events: list[Event] = []
    for _ in range(count):
        events += [
            UserUttered("bonjour", {"name": "greet", "confidence": 1.0}, timestamp=at),
            ActionExecuted("utter_greet", timestamp=at),
            BotUttered("Bonjour", timestamp=at),
            ActionExecuted("action_listen", timestamp=at),
        ]
    return events


def tracker(*events: Event) -> DialogueStateTracker:
    return DialogueStateTracker.from_events("assure-1", list(events), DOMAIN.slots)


def processor() -> SimpleNamespace:
    return SimpleNamespace(domain=DOMAIN)


def test_a_long_session_at_rest_ends() -> None:
    long = tracker(SessionStarted(), *turns(11, time.time()))
    assert session_length(long) == 45
    assert long_and_at_rest(long, LIMIT)


def test_a_short_session_goes_on() -> None:
    assert not long_and_at_rest(tracker(SessionStarted(), *turns(9, time.time())), LIMIT)


def test_only_the_current_session_counts() -> None:
    now = time.time()
    events = tracker(SessionStarted(), *turns(20, now), SessionStarted(), *turns(3, now))
    assert session_length(events) == 13
    assert not long_and_at_rest(events, LIMIT)


@pytest.mark.parametrize(
    "in_progress",
    [
        [ActiveLoop("report_form")],  # a form asking its questions
        [SlotSet("care_date", "2026-11-02")],  # a report being built
        [SlotSet("report_pending", True)],  # a filing to try again
        [SlotSet("complement_for", "SIG-2026-000001")],  # a complement offered
    ],
)
def test_a_long_session_with_something_in_progress_goes_on(in_progress: list[Event]) -> None:
    busy = tracker(SessionStarted(), *turns(20, time.time()), *in_progress)
    assert not long_and_at_rest(busy, LIMIT)


def test_the_sixty_minute_expiry_still_ends_a_short_session() -> None:
    hour_ago = time.time() - 61 * 60
    assert has_session_ended(processor(), tracker(SessionStarted(), *turns(2, hour_ago)))  # type: ignore[arg-type]
    recent = time.time() - 59 * 60
    assert not has_session_ended(processor(), tracker(SessionStarted(), *turns(2, recent)))  # type: ignore[arg-type]


def test_the_limit_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    session = tracker(SessionStarted(), *turns(11, time.time()))
    monkeypatch.setenv("LONG_SESSION_EVENTS", "1000")
    assert not has_session_ended(processor(), session)  # type: ignore[arg-type]
    monkeypatch.setenv("LONG_SESSION_EVENTS", "30")
    assert has_session_ended(processor(), session)  # type: ignore[arg-type]
