"""What a message means where it is said (bot.components.reading), and the classifier's
negation and spelling features (bot.components.features)."""

from __future__ import annotations

from typing import Any

import pytest
from bot.components.features import SpellingNormaliser, edit_distance, negation_tokens
from bot.components.reading import (
    ALSO_ASKED,
    REPORT,
    ContextualReading,
    ReadingSettings,
    names_care_with_negation,
    question_also_asked,
    reread,
)
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActiveLoop, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

SETTINGS = ReadingSettings()


def ranking(*pairs: tuple[str, float]) -> list[dict[str, Any]]:
    return [{"name": name, "confidence": confidence} for name, confidence in pairs]


@pytest.mark.parametrize(
    "text",
    [
        "acte médical ou soin non réalisé",
        "soin non effectué",
        "prestation jamais reçue",
        "consultations non effectuées",
        "je n'ai jamais eu cette séance",
        "aucun soin ce jour-là",
        "anomalie sur un remboursement",
    ],
)
def test_care_that_did_not_happen_is_named(text: str) -> None:
    assert names_care_with_negation(text)


@pytest.mark.parametrize(
    "text",
    [
        "non merci",
        "non, tout va bien avec mes remboursements",
        "pas de souci avec mes soins, non",
        "non pas ce professionnel",
        "je ne veux pas signaler",
    ],
)
def test_a_plain_negation_names_no_missing_care(text: str) -> None:
    assert not names_care_with_negation(text)


def test_outside_any_question_a_denial_naming_missing_care_is_a_report() -> None:
    read = reread(
        "soin non réalisé",
        ranking(("deny", 0.7), ("inform", 0.2)),
        pending=False,
        settings=SETTINGS,
    )
    # The two readings swap: the fallback after this sees no tie between them.
    assert read == ranking((REPORT, 0.7), ("inform", 0.2), ("deny", 0.0))


def test_outside_any_question_a_hesitant_report_is_a_report() -> None:
    read = reread(
        "ça ne va pas là", ranking(("deny", 0.5), (REPORT, 0.3)), pending=False, settings=SETTINGS
    )
    assert read[0]["name"] == REPORT


def test_a_bare_denial_stays_a_denial() -> None:
    before = ranking(("deny", 0.9), (REPORT, 0.02))
    assert reread("non", before, pending=False, settings=SETTINGS) is before


def test_inside_a_form_the_literal_answer_stands() -> None:
    before = ranking(("deny", 0.7), (REPORT, 0.3))
    assert reread("non, aucun de ces soins", before, pending=True, settings=SETTINGS) is before


def test_other_readings_are_left_alone() -> None:
    before = ranking(("complain_low_reimbursement", 0.8), (REPORT, 0.15))
    assert reread("soin pas assez remboursé", before, pending=False, settings=SETTINGS) is before


@pytest.mark.parametrize("text", ["je ne sais plus", "aucune idée", "je sais pas trop"])
def test_not_knowing_answers_the_question_and_does_not_cancel(text: str) -> None:
    read = reread(text, ranking(("cancel", 0.6), ("deny", 0.2)), pending=True, settings=SETTINGS)
    assert read[0]["name"] == "inform"


def test_not_knowing_and_stopping_stops() -> None:
    before = ranking(("cancel", 0.6), ("deny", 0.2))
    assert reread("je sais plus, laissez tomber", before, pending=True, settings=SETTINGS) is before
    read = reread("en fait non laissez tomber", ranking(("deny", 0.6)), pending=True,
                  settings=SETTINGS)  # fmt: skip
    assert read[0]["name"] == "cancel"


def test_a_question_asked_beside_a_report_is_named() -> None:
    assert (
        question_also_asked("c'est une arnaque ce mail ? j'ai jamais eu ce soin") == "ask_phishing"
    )
    assert question_also_asked("je n'ai jamais eu ce soin") is None


def _tracker(*events: Any) -> DialogueStateTracker:
    domain = Domain.from_yaml(
        "version: '3.1'\nslots:\n  complement_for:\n    type: text\n    mappings: []\n"
    )
    return DialogueStateTracker.from_events("someone", list(events), domain.slots)


def _parsed(text: str, *pairs: tuple[str, float]) -> Message:
    message = Message(data={TEXT: text})
    message.set(INTENT, {"name": pairs[0][0], "confidence": pairs[0][1]})
    message.set(INTENT_RANKING_KEY, ranking(*pairs))
    return message


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        ((), REPORT),  # a first message: no question pending
        ((ActiveLoop("report_form"),), "deny"),  # the form asked something
        ((SlotSet("complement_for", "SIG-2026-000001"),), "deny"),  # « oui » or « non » asked
    ],
)
def test_the_component_reads_the_conversation(events: tuple[Any, ...], expected: str) -> None:
    component = ContextualReading({})
    message = _parsed("non, je n'ai jamais eu ce soin", ("deny", 0.6), ("inform", 0.3))
    component.process([message], _tracker(*events))
    assert message.get(INTENT)["name"] == expected


def test_the_component_names_the_question_beside_a_report() -> None:
    message = _parsed("arnaque ce mail ? jamais eu ce soin", (REPORT, 0.8), ("ask_phishing", 0.2))
    ContextualReading({}).process([message], _tracker())
    assert message.get(ALSO_ASKED) == "ask_phishing"


def test_button_payloads_are_read_as_they_are() -> None:
    message = _parsed("/deny", ("deny", 1.0), (REPORT, 0.0))
    ContextualReading({}).process([message], _tracker())
    assert message.get(INTENT)["name"] == "deny"


def test_negation_scope_marks_the_words_a_negation_governs() -> None:
    assert negation_tokens("soin non realise") == ["neg_realise"]
    assert negation_tokens("je n ai jamais eu ce soin") == ["neg_eu", "neg_ce", "neg_soin"]
    assert negation_tokens("oui merci") == []


def test_edit_distance_counts_swaps_as_one_edit() -> None:
    assert edit_distance("suspect", "suspcet") == 1
    assert edit_distance("remboursement", "rembourssement") == 1
    assert edit_distance("signaler", "signaler") == 0
    assert edit_distance("abc", "xyz") == 3


def test_misspelt_words_are_read_as_the_known_word() -> None:
    spelling = SpellingNormaliser(["remboursement", "suspect", "signaler", "dentiste", "pas"])
    assert spelling("rembourssement suspet") == "remboursement suspect"
    assert spelling("signlaer un rembousement") == "signaler un remboursement"
    # Short words and words far from any known one are left as typed.
    assert spelling("pqs") == "pqs"
    assert spelling("ornithorynque") == "ornithorynque"
