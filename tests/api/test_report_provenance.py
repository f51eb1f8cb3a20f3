"""Only the assistant's service identity attaches a transcript and a channel; a policyholder's
own filing is recorded as a direct one, with no conversation."""

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.accounts.models import Policyholder, StaffRole
from api.core.text import NBSP
from api.reports.models import Report
from tests.api.report_data import URL, body, count
from tests.factories import Factory

TRANSCRIPT = [
    {"sender": "user", "text": "signaler un remboursement", "timestamp": "2026-03-05T10:00:00Z"},
    {
        "sender": "bot",
        "text": "Votre signalement est sans suite.",
        "timestamp": "2026-03-05T10:00:01Z",
    },
]
REFUSAL = (
    "Seul l'assistant en ligne peut joindre une conversation (transcript) ou indiquer le canal "
    f"(channel) d'un signalement{NBSP}: retirez ces champs pour déposer le vôtre."
)


@pytest.fixture
def holder(factory: Factory) -> Policyholder:
    return factory.policyholder()


def test_a_direct_filing_is_recorded_as_such(
    client: TestClient, factory: Factory, holder: Policyholder, db: Session
) -> None:
    response = client.post(URL, headers=factory.auth(holder), json=body())
    assert response.status_code == 201
    assert (response.json()["channel"], response.json()["transcript"]) == ("api", [])
    report = db.scalars(select(Report)).one()
    assert (report.channel, report.transcript, report.via_assistant) == ("api", [], False)
    agent = factory.staff(StaffRole.AGENT)
    seen = client.get(f"{URL}/{response.json()['reference']}", headers=factory.auth(agent))
    assert seen.json()["via_assistant"] is False


@pytest.mark.parametrize(
    "sent",
    [
        {"transcript": TRANSCRIPT},
        {"transcript": []},
        {"channel": "assistant"},
        {"channel": "api"},
        {"transcript": TRANSCRIPT, "channel": "assistant"},
    ],
)
def test_a_policyholder_cannot_attach_a_transcript_or_a_channel(
    client: TestClient,
    factory: Factory,
    holder: Policyholder,
    db: Session,
    sent: dict[str, object],
) -> None:
    response = client.post(URL, headers=factory.auth(holder), json=body(**sent))
    assert response.status_code == 403
    answer = response.json()
    assert (answer["code"], answer["detail"]) == ("assistant_only", REFUSAL)
    assert [e["field"] for e in answer["errors"]] == [
        f for f in ("transcript", "channel") if f in sent
    ]
    assert count(db) == 0


def test_the_assistant_keeps_both(
    app: FastAPI, client: TestClient, factory: Factory, holder: Policyholder, db: Session
) -> None:
    response = client.post(
        URL,
        headers=factory.assistant_auth(holder),
        json=body(transcript=TRANSCRIPT, channel="web"),
    )
    by_default = client.post(
        URL, headers=factory.assistant_auth(holder), json=body(provider_name="Taxi")
    )
    assert response.status_code == 201
    assert response.json()["channel"] == "web"
    assert [t["text"] for t in response.json()["transcript"]] == [t["text"] for t in TRANSCRIPT]
    assert (by_default.json()["channel"], by_default.json()["transcript"]) == ("assistant", [])
    assert [r.via_assistant for r in db.scalars(select(Report).order_by(Report.id))] == [True, True]
    agent = factory.staff(StaffRole.AGENT)
    seen = client.get(f"{URL}/{response.json()['reference']}", headers=factory.auth(agent))
    assert seen.json()["via_assistant"] is True
