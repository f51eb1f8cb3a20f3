"""A message that sounds like a report but asks for something else (bot.components.errands),
and how the reading in context lets a report give way to it (bot.components.reading)."""

from __future__ import annotations

from typing import Any

import pytest
from bot.components.cues import names_care_not_as_billed
from bot.components.errands import quoted_errand, told_errand
from bot.components.reading import REPORT, ReadingSettings, reread

SETTINGS = ReadingSettings()


def ranking(*pairs: tuple[str, float]) -> list[dict[str, Any]]:
    return [{"name": name, "confidence": confidence} for name, confidence in pairs]


@pytest.mark.parametrize(
    ("text", "errand"),
    [
        (
            "Que veut dire « acte médical ou soin non réalisé » dans les choix ?",
            "ask_email_content",
        ),
        ("c'est quoi soin non réalisé", "ask_email_content"),
        ("acte non réalisé ça veut dire quoi exactement", "ask_email_content"),
        ("Qu'entendez-vous exactement par soin non réalisé ?", "ask_email_content"),
        (
            "Un courriel m'annonce une anomalie sur ma carte Vitale, est-ce fiable ?",
            "ask_phishing",
        ),
        (
            "un monsieur a appelé, il dit qu'il y a des soins suspects, il veut mon code, c vous",
            "ask_phishing",
        ),
        (
            "j'ai fait la déclaration du soin pas fait il y a quinze jours et personne m'a répondu",
            "ask_report_status",
        ),
        # The person tells that they read the words, not that they had such care.
        (
            "que signifie acte non réalisé ? je l'ai lu dans le mail, je ne comprends pas",
            "ask_email_content",
        ),
        ("le courriel parle de « soin non effectué », ça s'applique quand ?", "ask_email_content"),
        (
            "j'avais signalé la sage-femme qui compte tout deux fois, ça bouge ?",
            "ask_report_status",
        ),
        (
            "j'ai signalé un acte facturé plus cher en mai, l'argent est récupéré quand ?",
            "ask_report_status",
        ),
        # A mail that announced an anomaly: whether it comes from the insurer, not a report.
        (
            "J'ai reçu un mail qui parle d'une anomalie sur mes paiements, c'est une arnaque ?",
            "ask_phishing",
        ),
        ("Le mail qui parle d'une anomalie, il vient bien de chez vous ?", "ask_phishing"),
        (
            "Un SMS me dit qu'un soin non réalisé a été payé, cliquez sur un lien. Arnaque ?",
            "ask_phishing",
        ),
        # The words asked about, however the question is put.
        (
            "Dans le courriel vous parlez d'anomalie, qu'est-ce que vous entendez par là ?",
            "ask_email_content",
        ),
        (
            "« Acte facturé mais non réalisé », c'est écrit dans le mail, vous pouvez me donner "
            "un exemple ?",
            "ask_email_content",
        ),
        ("un soin non réalisé c'est quoi concrètement ?", "ask_email_content"),
        # A report already made, typed in haste or told on the phone.
        (
            "g signalé 1 acte non realisé chez le dentiste ya 15j, tjr pas de nouvelles",
            "ask_report_status",
        ),
        (
            "J'ai téléphoné en avril pour dire qu'une infirmière inconnue était payée à mon nom,"
            " on ne m'a jamais rappelée",
            "ask_report_status",
        ),
        # Taken back, or a check asked for.
        ("Je retire ma déclaration de soin non réalisé, c'était ma femme", "cancel"),
        (
            "comment je vois le détail de mes remboursements pour vérifier s'il y a une anomalie ?",
            "ask_how_to_check",
        ),
    ],
)
def test_a_message_quoting_a_reports_words_is_its_question(text: str, errand: str) -> None:
    assert quoted_errand(text) == errand
    before = ranking((REPORT, 0.8), (errand, 0.1))
    assert reread(text, before, pending=False, settings=SETTINGS)[0]["name"] == errand


@pytest.mark.parametrize(
    ("text", "errand"),
    [
        (
            "pouvez-vous me rembourser le taxi pour l'hôpital ? j'ai payé moi-même",
            "ask_reimbursement_delay",
        ),
        (
            "le kiné il a pas pris la carte vitale j'ai payé, comment je me fais rembourser",
            "ask_reimbursement_delay",
        ),
        ("comment je récupère mon argent pour les lunettes", "ask_reimbursement_delay"),
        ("pas remboursé le taxi du 4 juin", "ask_reimbursement_delay"),
        # Third-party payment: the professional was paid for care the person had.
        ("la radiologie a été payée et pas moi, c'est normal ?", "ask_reimbursement_delay"),
        ("je n'ai toujours pas été remboursée pour l'orthoptiste", "ask_reimbursement_delay"),
        (
            "mon dossier de remboursement pour les soins en Espagne, il en est où ?",
            "ask_reimbursement_delay",
        ),
        (
            "j'ai tout avancé à Bruxelles, que faire pour être remboursée ?",
            "ask_reimbursement_delay",
        ),
        (
            "je suis allée chez le dentiste mardi mais je ne trouve pas le soin dans mon compte",
            "ask_how_to_check",
        ),
    ],
)
def test_a_message_telling_another_errand_is_that_errand(text: str, errand: str) -> None:
    assert not names_care_not_as_billed(text)
    assert told_errand(text) == errand
    before = ranking((REPORT, 0.6), (errand, 0.3))
    assert reread(text, before, pending=False, settings=SETTINGS)[0]["name"] == errand


@pytest.mark.parametrize(
    ("text", "next_reading"),
    [
        ("pas de fraude merci", "thank"),
        ("Non, je reconnais bien tous les paiements.", "deny"),
        (
            "carte vitale volée hier, rien de bizarre sur mon compte, je veux la bloquer",
            "other_procedure",
        ),
        (
            "j'ai perdu ma carte, mes paiements sont bien normaux, mais est-ce que je la bloque ?",
            "other_procedure",
        ),
        ("tout correspond, merci beaucoup", "thank"),
    ],
)
def test_a_message_saying_all_is_in_order_means_what_it_says_besides(
    text: str, next_reading: str
) -> None:
    assert not names_care_not_as_billed(text)
    before = ranking((REPORT, 0.5), (next_reading, 0.3), ("greet", 0.1))
    assert reread(text, before, pending=False, settings=SETTINGS)[0]["name"] == next_reading


@pytest.mark.parametrize(
    "text",
    [
        # A report with a question beside it stays a report.
        "c'est une arnaque ce mail ? je n'ai jamais eu ce soin",
        "c'est quoi ce paiement ? je n'ai jamais vu ce dentiste",
        # Money and a missing care together: the care decides.
        "je veux me faire rembourser ? non, je signale une séance jamais faite",
        "le dentiste a facturé une couronne que je n'ai jamais eue",
        "remboursement suspect sur mon compte",
        "pas de souci avec le kiné, mais le dentiste a compté deux fois le détartrage",
        "c'est bien moi, ce paiement à un centre de santé ? je ne connais pas ce centre",
        "c'est quoi le paiement du 3 mars chez un kiné inconnu ?",
        "c'est quoi cette anomalie : une séance de kiné que je n'ai jamais faite",
        # A word of money beside care not as billed: the care decides.
        "je n'ai pas été remboursé, mais le kiné a été payé pour une séance jamais faite",
        "mes soins sont normaux sauf une radio que je n'ai jamais passée",
        "j'ai un « soin non réalisé » sur mon compte, le kiné du 3 mai ?",
        # A mail naming care the person never had is a report, whatever is asked beside.
        "Votre courriel mentionne un paiement à un centre dentaire où je ne suis jamais allé, "
        "il est authentique ?",
        "c du phishing ou pas? jai pas eu de soin moi",
    ],
)
def test_a_report_stays_a_report(text: str) -> None:
    assert quoted_errand(text) is None
    before = ranking((REPORT, 0.6), ("ask_reimbursement_delay", 0.2), ("deny", 0.1))
    assert reread(text, before, pending=False, settings=SETTINGS) is before


def test_a_question_quoting_a_reports_words_is_not_made_a_report() -> None:
    text = "acte non réalisé ça veut dire quoi exactement"
    assert names_care_not_as_billed(text)
    before = ranking(("ask_email_content", 0.6), (REPORT, 0.35))
    assert reread(text, before, pending=False, settings=SETTINGS) is before


def test_an_errand_the_classifier_found_unlikely_keeps_the_report() -> None:
    settings = ReadingSettings(errand_runner_up=0.2)
    before = ranking((REPORT, 0.9), ("ask_reimbursement_delay", 0.05))
    assert (
        reread("pouvez-vous me rembourser le taxi", before, pending=False, settings=settings)
        is before
    )


def test_a_reports_words_said_not_to_apply_mean_what_the_message_says_besides() -> None:
    text = "j'ai tout regardé, pas de soin non réalisé chez moi, merci bien"
    assert names_care_not_as_billed(text)
    before = ranking((REPORT, 0.9), ("thank", 0.05))
    assert reread(text, before, pending=False, settings=SETTINGS)[0]["name"] == "thank"
    excepted = "pas de soin non réalisé, mais une séance de kiné comptée deux fois"
    assert quoted_errand(excepted) is None
