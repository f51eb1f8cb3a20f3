"""The Rasa server's speed-ups keep Rasa's outcomes: same verdicts, same classes."""

from __future__ import annotations

from typing import Any

import pytest
from bot import speedups
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import ActiveLoop, Event, SlotSet, UserUttered

RASA_CHECK = RemoteAction._validate_action_result
RASA_RESOLVE = Event.resolve_by_type

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
