"""What a message means where it is said (bot.components.reading), and the classifier's
negation and spelling features (bot.components.features)."""

from __future__ import annotations

from typing import Any

import pytest
from bot.components.cues import names_care_not_as_billed, question_also_asked
from bot.components.features import SpellingNormaliser, edit_distance, negation_tokens
from bot.components.reading import (
    ALSO_ASKED,
    REPORT,
    ContextualReading,
    ReadingSettings,
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
        # Told the other way round, counted, or disowned.
        "il y a des paiements de pharmacie que je fais pas",
        "le kiné a facturé dix séances, moi j'en ai fait six",
        "12 séances facturées alors que j'en ai eu que 8",
        "la ligne 3 c pas moi, le remboursement du dentiste",
        "c'est pas moi ce remboursement du 21 janvier",
        # A line or a professional the person does not recognise.
        "Je ne reconnais pas la ligne du 17 novembre.",
        "ce nom de kiné me dit rien du tout",
        "Une ligne radiologie du 2 avril, je n'ai aucune idée de ce que c'est.",
        # Someone else, nobody seen, or care billed before it happened.
        "qlq1 se fait rembourser sur mon dos",
        "je n'ai vu personne ce mois-ci",
        "l'écho est prévue le mois prochain et elle est déjà remboursée",
        "le VSL du 8 juillet n'a jamais eu lieu",
    ],
)
def test_care_that_did_not_happen_is_named(text: str) -> None:
    assert names_care_not_as_billed(text)


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
    assert not names_care_not_as_billed(text)


@pytest.mark.parametrize(
    "text",
    [
        "ambulence jamais prise",  # a care word misspelt
        "seance de kiné pa fé",  # SMS spelling of the absence
        "jamé u de radio",
        "séjour hospitalier fictif",
        "doublon sur ma séance de kinée",  # billed twice
        "infirmière inconnue sur mes paiements",  # by someone unknown
        "quelqu'un s'est servi de ma carte vitale chez un dentiste",  # identity fraud
        "j'étais à l'étranger tout le mois d'août, or je vois trois séances de kiné",
        "je n'ai rien fait chez ce médecin, je ne le connais même pas",
        "mon mari était hospitalisé à cette date, il ne pouvait pas être chez le podologue",
        "bonjour je ne reconnais pas le remboursement du 15 mai",
        "mon ex a gardé ma carte vitale et je pense qu'elle s'en sert chez le pharmacien",
        "jsuis jamais allé chez ce dermato",
        # Someone else cared for with the person's card, care paid against what they are,
        # an act billed instead of or dearer than the one had, care before they arrived.
        "mon beau-frère se fait soigner avec ma carte vitale",
        "une orthophoniste payée alors que mon fils ne parle même pas encore",
        "le dentiste a facturé une couronne au lieu d'un simple plombage",
        "l'opticien a été remboursé pour des verres bien plus chers que les miens",
        "un labo remboursé en mars, j'étais même pas arrivée en France",
        # A professional the person asks who they are, or someone using their card.
        "le docteur Lemoine du 2 juin, je sais pas du tout qui c'est",
        "c'est qui ce podologue le 14 ??",
        "mais qui va chez l'ostéo avec ma carte vitale ?",
        # A key word typed with two letters swapped.
        "je n'ai jamias eu de séance chez ce kinésitérapeute",
    ],
)
def test_care_not_as_billed_is_named_however_it_is_typed(text: str) -> None:
    assert names_care_not_as_billed(text)


@pytest.mark.parametrize(
    "text",
    [
        "je n'ai pas été remboursé de ma consultation",  # money awaited, not care missing
        "toujours pas reçu le remboursement de mes lunettes",
        "rien reçu pour mon remboursement",
        "j'ai perdu ma carte vitale",
        "j'étais en vacances",
        "le paiement de mes séances de kiné n'a jamais été effectué",
        "la radio du genou n'a toujours pas été réglée",
        "anomalie sur le montant : 7 euros pour une séance de kiné à 50",  # care received
        "je veux m'assurer qu'il n'y a pas d'anomalie dans mes soins",
        "remboursement du kiné pas encore reçu",
    ],
)
def test_money_awaited_or_a_story_without_care_names_nothing(text: str) -> None:
    assert not names_care_not_as_billed(text)


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("je peux parler à un conseiller ? le kiné a compté deux séances", "ask_human"),
        ("comment je vérifie mes paiements ? il y a un acte inconnu", "ask_how_to_check"),
        ("c'est quoi ce mail ? un dentiste inconnu est payé", "ask_email_content"),
        ("pourquoi vous m'envoyez ça ? je n'ai eu aucun soin", "ask_why_now"),
        ("vous êtes un robot ? il y a un kiné inconnu sur mon compte", "bot_challenge"),
        ("je veux un humain, pas un robot : séance jamais faite", "ask_human"),
    ],
)
def test_each_question_answered_beside_a_report_is_recognised(text: str, question: str) -> None:
    assert question_also_asked(text) == question


def test_a_question_naming_care_not_as_billed_leads_to_a_report_however_unsure() -> None:
    settings = ReadingSettings(beside=0.0)
    text = "que veut dire ce mail ? je n'ai vu aucun médecin ce mois-ci"
    before = ranking(("ask_email_content", 0.7), (REPORT, 0.05))
    assert reread(text, before, pending=False, settings=settings)[0]["name"] == REPORT
    plain = "que veut dire ce mail information de paiement ?"
    assert reread(plain, before, pending=False, settings=settings) is before


def test_what_the_words_decide_pools_the_two_readings_they_chose_between() -> None:
    """« c du phishing ou pas ? jai pas eu de soin moi »: the classifier hesitated between two
    readings, the words settle it, and the fallback must not ask the question back."""
    text = "c du phishing ou pas? jai pas eu de soin moi"
    before = ranking(("ask_phishing", 0.38), (REPORT, 0.37), ("deny", 0.1))
    alone = reread(text, before, pending=False, settings=ReadingSettings(pooled=0.0))
    assert alone[0] == {"name": REPORT, "confidence": 0.38}
    pooled = reread(text, before, pending=False, settings=ReadingSettings(pooled=1.0))
    assert pooled[0] == {"name": REPORT, "confidence": 0.75}
    assert pooled[1] == {"name": "ask_phishing", "confidence": 0.37}
    # Never surer than certain; and a report the classifier hesitated to call one, with no
    # words to decide it, is not pooled.
    sure = ranking(("deny", 0.8), (REPORT, 0.3))
    assert reread(text, sure, pending=False, settings=ReadingSettings(pooled=1.0))[0] == {
        "name": REPORT,
        "confidence": 1.0,
    }
    hesitant = reread("ok", sure, pending=False, settings=ReadingSettings(pooled=1.0))
    assert hesitant[0] == {"name": REPORT, "confidence": 0.8}


def test_a_report_the_words_confirm_is_not_asked_back() -> None:
    text = "le VSL du 8 juillet n'a jamais eu lieu, c'est ma fille qui m'a emmenée"
    before = ranking((REPORT, 0.48), ("inform", 0.47), ("deny", 0.03))
    assert reread(text, before, pending=False, settings=ReadingSettings(pooled=0.0)) is before
    settled = reread(text, before, pending=False, settings=ReadingSettings(pooled=1.0))
    assert settled == ranking((REPORT, 0.95), ("inform", 0.47), ("deny", 0.03))
    # Without the words, the classifier's hesitation stands.
    plain = reread(
        "le VSL du 8 juillet", before, pending=False, settings=ReadingSettings(pooled=1.0)
    )
    assert plain is before


def test_a_story_of_absence_read_as_a_complaint_is_a_report() -> None:
    settings = ReadingSettings(named_runner_up=0.3)
    story = "j'étais hospitalisée ce jour-là et une consultation est payée au docteur"
    before = ranking(("complain_low_reimbursement", 0.5), (REPORT, 0.35))
    assert reread(story, before, pending=False, settings=settings)[0]["name"] == REPORT
    unsure = ranking(("complain_low_reimbursement", 0.7), (REPORT, 0.2))
    assert reread(story, unsure, pending=False, settings=settings) is unsure
    awaited = "je n'ai pas été remboursé de ma consultation"
    assert reread(awaited, before, pending=False, settings=settings) is before


def test_a_question_about_a_report_already_made_stays_that_question() -> None:
    settings = ReadingSettings(named_runner_up=0.3)
    text = "j'ai signalé une séance de kiné fictive il y a huit jours, ça avance ?"
    before = ranking(("ask_report_status", 0.5), (REPORT, 0.4))
    assert reread(text, before, pending=False, settings=settings) is before


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
