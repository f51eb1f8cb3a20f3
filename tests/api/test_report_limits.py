"""Caps per person and provider: REPORT_DAILY_LIMIT in 24 hours, REPORT_WEEKLY_LIMIT in 7 days,
explained in French, exact under concurrency, and never in the way of an idempotent retry."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from api.accounts.models import Policyholder
from api.claims.catalogue import ProviderKind
from api.claims.models import Claim, Provider
from api.core.config import Settings
from api.core.text import NBSP
from api.main import create_app
from api.reports.models import Report
from api.reports.workflow import ReportStatus
from tests.api.report_data import TODAY, URL, backdate, body, count, post_all, utc
from tests.factories import Factory


@pytest.fixture
def holder(factory: Factory) -> Policyholder:
    return factory.policyholder()


@pytest.fixture
def dentist(factory: Factory) -> Provider:
    return factory.provider("Dr Paul Dupont", ProviderKind.DENTIST)


def claims(factory: Factory, holder: Policyholder, provider: Provider, n: int) -> list[Claim]:
    return [factory.claim(holder, provider, TODAY - timedelta(days=2 + i)) for i in range(n)]


def file(
    client: TestClient,
    factory: Factory,
    holder: Policyholder,
    key: str | None = None,
    **fields: object,
) -> httpx.Response:
    headers = factory.auth(holder) | ({"Idempotency-Key": key} if key else {})
    return client.post(URL, headers=headers, json=body(**fields))


def paris(moment: datetime) -> str:
    local = moment.astimezone(ZoneInfo("Europe/Paris"))
    return f"{local:%d/%m/%Y} à {local:%H:%M}"


def next_minute(moment: datetime) -> datetime:
    floor = moment.replace(second=0, microsecond=0)
    return floor if floor == moment else floor + timedelta(minutes=1)


def test_the_third_report_in_a_day_about_one_provider_is_refused(
    client: TestClient, factory: Factory, holder: Policyholder, dentist: Provider, db: Session
) -> None:
    first, second, third = claims(factory, holder, dentist, 3)
    filed = [file(client, factory, holder, claim_id=c.id) for c in (first, second)]
    assert [r.status_code for r in filed] == [201, 201]
    refused = file(client, factory, holder, claim_id=third.id)
    assert refused.status_code == 429
    answer = refused.json()
    oldest = utc(filed[0].json()["created_at"])
    retry_at = oldest + timedelta(hours=24)
    newest = filed[1].json()["reference"]
    assert answer["code"] == "report_limit"
    assert (answer["limit"], answer["period"], answer["reference"]) == (2, "day", newest)
    assert utc(answer["retry_at"]) == retry_at
    assert answer["detail"] == (
        "Vous avez déjà envoyé 2 signalements sur ce professionnel de santé en 24 heures"
        f"{NBSP}: c'est le maximum. Vous pourrez en envoyer un nouveau à partir du "
        f"{paris(next_minute(retry_at))}. D'ici là, si vous avez des précisions à apporter, "
        f"ajoutez un complément à votre signalement {newest}, toujours en cours de traitement."
    )
    assert 86_000 < int(refused.headers["Retry-After"]) <= 86_401
    assert count(db) == 2


def test_other_providers_and_other_people_are_counted_apart(
    client: TestClient, factory: Factory, holder: Policyholder, dentist: Provider, db: Session
) -> None:
    for claim in claims(factory, holder, dentist, 2):
        assert file(client, factory, holder, claim_id=claim.id).status_code == 201
    other_provider = factory.claim(holder, factory.provider("Dr Roux"), TODAY - timedelta(days=1))
    assert file(client, factory, holder, claim_id=other_provider.id).status_code == 201
    neighbour = factory.policyholder()
    for claim in claims(factory, neighbour, dentist, 2):
        assert file(client, factory, neighbour, claim_id=claim.id).status_code == 201
    assert count(db) == 5


def test_without_a_claim_the_provider_is_the_name_as_typed_folded(
    client: TestClient, factory: Factory, holder: Policyholder, db: Session
) -> None:
    for typed in ("Ambulances du Rhône", "AMBULANCES  du rhone"):
        assert file(client, factory, holder, provider_name=typed).status_code == 201
    refused = file(client, factory, holder, provider_name="ambulances du Rhône")
    assert (refused.status_code, refused.json()["code"]) == (429, "report_limit")
    assert file(client, factory, holder, provider_name="Taxi Bleu").status_code == 201
    assert count(db) == 3


def test_the_fifth_in_a_week_is_refused_and_the_window_slides(
    client: TestClient, factory: Factory, holder: Policyholder, dentist: Provider, db: Session
) -> None:
    now = datetime.now(UTC)
    six = claims(factory, holder, dentist, 6)
    references = []
    for claim, days_ago in zip(six[:4], (6, 5, 3, 3), strict=True):
        response = file(client, factory, holder, claim_id=claim.id)
        assert response.status_code == 201, response.text
        references.append(response.json()["reference"])
        backdate(db, references[-1], now - timedelta(days=days_ago))
    refused = file(client, factory, holder, claim_id=six[4].id)
    assert refused.status_code == 429
    answer = refused.json()
    assert (answer["limit"], answer["period"]) == (4, "week")
    assert utc(answer["retry_at"]) == now - timedelta(days=6) + timedelta(days=7)
    assert "4 signalements sur ce professionnel de santé en 7 jours" in answer["detail"]
    # Once the oldest leaves the 7 days, one more is possible, and then the cap holds again.
    backdate(db, references[0], now - timedelta(days=7, minutes=1))
    assert file(client, factory, holder, claim_id=six[4].id).status_code == 201
    assert file(client, factory, holder, claim_id=six[5].id).status_code == 429
    assert count(db) == 5


def test_the_day_window_slides_too(
    client: TestClient, factory: Factory, holder: Policyholder, dentist: Provider, db: Session
) -> None:
    now = datetime.now(UTC)
    first, second, third = claims(factory, holder, dentist, 3)
    early = file(client, factory, holder, claim_id=first.id).json()["reference"]
    file(client, factory, holder, claim_id=second.id)
    backdate(db, early, now - timedelta(hours=24, seconds=5))
    assert file(client, factory, holder, claim_id=third.id).status_code == 201


def test_closed_reports_still_count_and_none_is_offered_to_complete(
    client: TestClient, factory: Factory, holder: Policyholder, dentist: Provider, db: Session
) -> None:
    first, second, third = claims(factory, holder, dentist, 3)
    for claim in (first, second):
        file(client, factory, holder, claim_id=claim.id)
    for report in db.scalars(select(Report)):
        report.status = ReportStatus.UNFOUNDED
    db.commit()
    refused = file(client, factory, holder, claim_id=third.id)
    assert refused.status_code == 429
    assert refused.json()["reference"] is None
    assert "complément" not in refused.json()["detail"]


def test_an_idempotent_retry_is_answered_even_at_the_cap(
    client: TestClient, factory: Factory, holder: Policyholder, dentist: Provider, db: Session
) -> None:
    first, second = claims(factory, holder, dentist, 2)
    file(client, factory, holder, "k1", claim_id=first.id)
    created = file(client, factory, holder, "k2", claim_id=second.id)
    retry = file(client, factory, holder, "k2", claim_id=second.id)
    assert (created.status_code, retry.status_code) == (201, 200)
    assert retry.json()["reference"] == created.json()["reference"]
    assert count(db) == 2


def test_an_open_report_on_the_claim_is_named_before_the_cap(
    client: TestClient, factory: Factory, holder: Policyholder, dentist: Provider
) -> None:
    first, second = claims(factory, holder, dentist, 2)
    reference = file(client, factory, holder, claim_id=first.id).json()["reference"]
    file(client, factory, holder, claim_id=second.id)
    again = file(client, factory, holder, claim_id=first.id)
    assert (again.status_code, again.json()["code"]) == (409, "already_reported")
    assert again.json()["reference"] == reference


@pytest.fixture
def capped_client(settings: Settings) -> Iterator[TestClient]:
    """The API with other limits than the defaults (same database)."""
    other = create_app(
        settings.model_copy(update={"report_daily_limit": 3, "report_weekly_limit": 5})
    )
    with TestClient(other) as test_client:
        yield test_client
    other.state.engine.dispose()


def test_the_limits_come_from_the_settings(
    capped_client: TestClient,
    factory: Factory,
    holder: Policyholder,
    dentist: Provider,
    db: Session,
) -> None:
    now = datetime.now(UTC)
    seven = claims(factory, holder, dentist, 7)
    for claim in seven[:3]:
        assert file(capped_client, factory, holder, claim_id=claim.id).status_code == 201
    day = file(capped_client, factory, holder, claim_id=seven[3].id)
    assert (day.status_code, day.json()["limit"], day.json()["period"]) == (429, 3, "day")
    for report in db.scalars(select(Report)):
        report.created_at = now - timedelta(days=2)
    db.commit()
    for claim in seven[3:5]:
        assert file(capped_client, factory, holder, claim_id=claim.id).status_code == 201
    week = file(capped_client, factory, holder, claim_id=seven[5].id)
    assert (week.status_code, week.json()["limit"], week.json()["period"]) == (429, 5, "week")
    assert count(db) == 5


def test_parallel_filings_about_one_provider_respect_the_cap(
    live_server: str, factory: Factory, holder: Policyholder, dentist: Provider, db: Session
) -> None:
    requests = [
        (URL, {**factory.auth(holder), "Idempotency-Key": f"rush-{n}"}, body(claim_id=claim.id))
        for n, claim in enumerate(claims(factory, holder, dentist, 10))
    ]
    responses = post_all(live_server, requests)
    assert sorted(r.status_code for r in responses) == [201] * 2 + [429] * 8
    assert {r.json()["code"] for r in responses if r.status_code == 429} == {"report_limit"}
    assert count(db) == 2


def test_a_filing_reads_no_report_before_its_one_insert(
    app: FastAPI, client: TestClient, factory: Factory, holder: Policyholder, dentist: Provider
) -> None:
    """The caps and both unique indexes are checked by the INSERT itself: a filing costs the
    token's check, the claim's provider, (PostgreSQL) the policyholder's lock, two inserts."""
    (claim,) = claims(factory, holder, dentist, 1)
    headers = factory.auth(holder) | {"Idempotency-Key": "k"}
    seen: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if not statement.startswith("BEGIN"):  # SQLite's writers begin IMMEDIATE
            seen.append(" ".join(statement.split()))

    event.listen(app.state.engine, "before_cursor_execute", record)
    try:
        response = client.post(URL, headers=headers, json=body(claim_id=claim.id))
    finally:
        event.remove(app.state.engine, "before_cursor_execute", record)
    assert response.status_code == 201
    session_check, token_check, claim_check, *locks, report_insert, event_insert = seen
    assert session_check.startswith("SELECT auth_session.")  # the token's session is open
    assert token_check.startswith("SELECT policyholder.id, ")  # the token's account
    assert claim_check.startswith("SELECT claim.provider_id, claim.amount_billed FROM claim WHERE")
    if app.state.engine.dialect.name == "postgresql":
        (lock,) = locks
        assert lock.startswith("SELECT policyholder.id FROM policyholder WHERE")
        assert lock.endswith("FOR NO KEY UPDATE")
    else:
        assert locks == []  # the write lock, taken at BEGIN IMMEDIATE, serialises filings
    assert report_insert.startswith("INSERT INTO report (")
    assert " ON CONFLICT DO NOTHING RETURNING " in report_insert
    assert event_insert.startswith("INSERT INTO report_event ")
