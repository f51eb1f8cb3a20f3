"""The Rasa server's speed-ups keep Rasa's outcomes: same verdicts, same classes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from bot import speedups
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    Event,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

RASA_CHECK = RemoteAction._validate_action_result
RASA_RESOLVE = Event.resolve_by_type
RASA_SAVE = SQLTrackerStore.save

VALID: list[dict[str, Any]] = [
    {"events": [], "responses": []},
    {
        "events": [
            {"event": "slot", "name": "care_date", "value": "2026-03-03", "timestamp": None},
            {"event": "active_loop", "name": "report_form"},
        ],
        "responses": [{"response": "utter_ask_provider"}],
    },
]
INVALID: list[dict[str, Any]] = [
    {"events": "not a list"},
    {"events": [{"event": "no_such_event"}]},
    {"events": [{"event": "slot", "value": "missing name"}]},
    {"events": [], "responses": ["not an object"]},
]


@pytest.fixture
def action() -> RemoteAction:
    return RemoteAction("action_report_form", None)


@pytest.mark.parametrize("result", VALID)
def test_valid_answers_pass_both_checks(action: RemoteAction, result: dict[str, Any]) -> None:
    assert RASA_CHECK(action, result) is True
    assert speedups.validate_action_result(action, result) is True


@pytest.mark.parametrize("result", INVALID)
def test_invalid_answers_fail_both_checks(action: RemoteAction, result: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as rasa_error:
        RASA_CHECK(action, result)
    with pytest.raises(ValidationError) as our_error:
        speedups.validate_action_result(action, result)
    assert our_error.value.message == rasa_error.value.message
    assert "Failed to validate Action server response" in our_error.value.message


@pytest.mark.parametrize("type_name", ["slot", "user", "active_loop", "action", "bot"])
def test_event_classes_are_the_ones_rasa_finds(type_name: str) -> None:
    assert speedups.resolve_event_type(type_name) is RASA_RESOLVE(type_name)
    assert speedups.resolve_event_type(type_name) is RASA_RESOLVE(type_name)  # remembered


def test_unknown_event_types_behave_as_in_rasa() -> None:
    assert speedups.resolve_event_type("topic") is None
    assert speedups.resolve_event_type("no_such_event", default=SlotSet) is SlotSet
    with pytest.raises(ValueError, match="Unknown event name"):
        speedups.resolve_event_type("no_such_event")


def test_install_replaces_rasas_code(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(RemoteAction, "_validate_action_result", RASA_CHECK)
    monkeypatch.setattr(Event, "resolve_by_type", staticmethod(RASA_RESOLVE))
    speedups.install()
    assert RemoteAction._validate_action_result is speedups.validate_action_result
    assert Event.resolve_by_type("slot") is SlotSet
    assert Event.from_parameters({"event": "active_loop", "name": "report_form"}) == ActiveLoop(
        "report_form"
    )
    user = {"event": "user", "text": "bonjour", "parse_data": {"intent": {"name": "greet"}}}
    assert isinstance(Event.from_parameters(user), UserUttered)


class Recorder(EventBroker):
    """An event broker that keeps what it is given (Rasa's extension point for brokers)."""

    def __init__(self) -> None:
        self.published: list[dict[str, Any]] = []

    def publish(self, event: dict[str, Any]) -> None:
        self.published.append(event)

    def is_ready(self) -> bool:
        return True


def _conversation(events: list[Event], turns: int) -> DialogueStateTracker:
    """The conversation after `turns` turns (one listen, then four events a turn)."""
    return DialogueStateTracker.from_events("assure-7-t", events[: 1 + 4 * turns])


def _events(turns: int) -> list[Event]:
    events: list[Event] = [ActionExecuted("action_listen")]
    for n in range(turns):
        events += [
            UserUttered(f"message {n}", {"name": "inform", "confidence": 0.9}),
            ActionExecuted("utter_ask_provider"),
            BotUttered(f"réponse {n}"),
            ActionExecuted("action_listen"),
        ]
    return events


@pytest.mark.anyio
async def test_one_read_save_publishes_and_stores_what_rasas_save_does(tmp_path: Path) -> None:
    """Two conversations saved turn by turn, one with Rasa's save, one with ours: the same
    events published, the same rows stored."""
    outcomes = []
    events = _events(3)
    for name, save in (("rasa", RASA_SAVE), ("ours", speedups.save_reading_once)):
        broker = Recorder()
        store = SQLTrackerStore(
            dialect="sqlite", db=str(tmp_path / f"{name}.db"), event_broker=broker
        )
        for turns in (1, 2, 3):  # each save adds one turn to what is stored
            await save(store, _conversation(events, turns))
        with store.session_scope() as session:
            rows = [(r.type_name, r.intent_name, r.action_name, json.loads(r.data)) for r in
                    session.query(store.SQLEvent).order_by(store.SQLEvent.id)]  # fmt: skip
        outcomes.append((broker.published, rows))
    (rasa_published, rasa_rows), (our_published, our_rows) = outcomes
    assert len(rasa_rows) == 13 and our_rows == rasa_rows
    assert our_published == rasa_published
