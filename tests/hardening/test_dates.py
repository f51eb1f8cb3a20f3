"""Dates at either end of the calendar get a correct answer or a French refusal, never a 500
(they raised OverflowError in claim matching, the agents' list and the trainers' inbox)."""

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.accounts.models import StaffRole
from api.core.clock import add_days, local_day_end, local_midnight, local_today
from api.core.config import Settings
from tests.factories import Factory
from tests.web.agent.helpers import file
from tests.web.helpers import login

FIRST, LAST = date.min.isoformat(), date.max.isoformat()


def test_clock_helpers_stop_at_the_calendar_ends() -> None:
    assert add_days(date(1, 1, 3), -7) == date.min
    assert add_days(date(9999, 12, 30), 7) == date.max
    assert add_days(date(2026, 3, 1), -1) == date(2026, 2, 28)
    # Midnight of 0001-01-01 in Paris (local mean time then, +0:09:21) is before year 1 in UTC.
    assert local_midnight(date.min, "Europe/Paris") is None
    assert local_midnight(date.min, "America/New_York") == datetime(1, 1, 1, 4, 56, 2, tzinfo=UTC)
    assert local_day_end(date.max, "Europe/Paris") is None
    assert local_day_end(date(2026, 3, 28), "Europe/Paris") == datetime(2026, 3, 28, 23, tzinfo=UTC)
    assert local_day_end(date(2026, 3, 29), "Europe/Paris") == datetime(2026, 3, 29, 22, tzinfo=UTC)


@pytest.mark.parametrize("care_date", [FIRST, "0001-01-05", LAST, "9999-12-25"])
def test_claim_matching_at_the_calendar_ends_finds_nothing(
    client: TestClient, factory: Factory, care_date: str
) -> None:
    holder = factory.policyholder()
    factory.claim(holder, factory.provider(), local_today("Europe/Paris") - timedelta(days=3))
    response = client.get(
        "/api/v1/claims/match", params={"care_date": care_date}, headers=factory.auth(holder)
    )
    assert response.status_code == 200
    assert response.json() == {"candidates": []}


def test_claim_matching_still_finds_the_claim_of_that_day(
    client: TestClient, factory: Factory
) -> None:
    holder = factory.policyholder()
    day = local_today("Europe/Paris") - timedelta(days=3)
    claim = factory.claim(holder, factory.provider(), day)
    response = client.get(
        "/api/v1/claims/match", params={"care_date": day.isoformat()}, headers=factory.auth(holder)
    )
    assert [c["claim"]["id"] for c in response.json()["candidates"]] == [claim.id]


def test_the_agents_list_and_export_take_the_calendar_ends_as_no_bound(
    client: TestClient, factory: Factory, db: Session
) -> None:
    holder = factory.policyholder()
    report = file(db, holder.id)
    agent = factory.staff(StaffRole.AGENT)
    assert login(client, agent.username).status_code == 303
    for params in (
        {"received_from": FIRST, "received_to": LAST},
        {"received_from": FIRST},
        {"received_to": LAST},
        {"care_from": FIRST, "care_to": LAST},
    ):
        listing = client.get("/agent/signalements", params=params)
        assert listing.status_code == 200, params
        assert [r.reference for r in listing.context["reports"]] == [report.reference]
        export = client.get("/agent/signalements.csv", params=params)
        assert export.status_code == 200
        assert report.reference in export.text
    empty = client.get("/agent/signalements", params={"received_to": FIRST})
    assert empty.status_code == 200 and empty.context["reports"] == []


def test_the_api_report_filters_accept_the_calendar_ends(
    client: TestClient, factory: Factory, db: Session
) -> None:
    holder = factory.policyholder()
    file(db, holder.id)
    agent = factory.auth(factory.staff(StaffRole.AGENT))
    params = {"created_from": FIRST, "created_to": LAST, "care_date_from": FIRST}
    response = client.get("/api/v1/reports", params={**params, "care_date_to": LAST}, headers=agent)
    assert response.status_code == 200
    assert response.json()["total"] == 1


@pytest.mark.parametrize("timestamp", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
def test_a_transcript_time_outside_the_calendar_is_refused_in_french(
    client: TestClient, factory: Factory, timestamp: str
) -> None:
    body = {
        "care_date": (local_today("Europe/Paris") - timedelta(days=1)).isoformat(),
        "provider_name": "Dr Martin",
        "description": "Jamais vu ce médecin.",
        "transcript": [{"sender": "user", "text": "bonjour", "timestamp": timestamp}],
    }
    response = client.post(
        "/api/v1/reports",
        content=json.dumps(body),
        headers={**factory.auth(factory.policyholder()), "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "transcript.0.timestamp", "message": "Cette heure est hors du calendrier."}
    ]


def test_the_trainers_inbox_takes_the_calendar_ends_as_no_bound(
    client: TestClient, factory: Factory, small_workbench: Settings
) -> None:
    trainer = factory.staff(StaffRole.TRAINER)
    assert login(client, trainer.username).status_code == 303
    for params in ({"since": FIRST, "until": LAST}, {"since": FIRST}, {"until": LAST}):
        inbox = client.get("/trainer/messages", params=params)
        assert inbox.status_code == 200, params
        texts = [m.text for m in inbox.context["inbox_messages"]]
        assert texts == ["je voudrais parler du docteur Durand"]
    before = client.get("/trainer/messages", params={"until": FIRST})
    assert before.context["inbox_messages"] == []
