"""The transcript agents read: what people typed or clicked, as they saw it."""

from __future__ import annotations

import json

from actions.conversation import transcript
from actions.wording import report_opening

from tests.bot.conftest import make_tracker

OPENING = "/report_suspicious_reimbursement" + json.dumps(
    {"care_date": "2026-03-03", "provider": "Dr Paul Dupont", "claim_choice": "17"}
)


def test_a_report_opened_from_a_payment_line_reads_as_a_sentence() -> None:
    tracker = make_tracker(text=OPENING, events=[{"event": "session_started", "timestamp": 0.5}])
    turns = transcript(tracker)
    assert turns[-1]["sender"] == "user"
    assert turns[-1]["text"] == (
        "Signaler le remboursement du 3 mars 2026, Dr Paul Dupont "
        "(depuis «\u00a0Mes paiements\u00a0»)"
    )


def test_a_clicked_button_reads_as_its_title() -> None:
    bot = {
        "event": "bot",
        "text": "Est-ce bien celui-ci ?",
        "data": {"buttons": [{"title": "Oui, envoyer", "payload": "/affirm"}]},
        "timestamp": 1.5,
    }
    assert transcript(make_tracker(text="/affirm", events=[bot]))[-1]["text"] == "Oui, envoyer"


def test_report_opening_accepts_only_its_own_payload() -> None:
    assert report_opening("/affirm") is None
    assert report_opening("/report_suspicious_reimbursement") == (
        "Signaler un remboursement suspect"
    )
    assert report_opening('/report_suspicious_reimbursement{"care_date": "demain"}') == (
        "Signaler un remboursement (depuis «\u00a0Mes paiements\u00a0»)"
    )
    assert report_opening("/report_suspicious_reimbursement{pas du json") == (
        "Signaler un remboursement (depuis «\u00a0Mes paiements\u00a0»)"
    )
