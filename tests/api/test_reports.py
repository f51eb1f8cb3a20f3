"""Filing a report: once per idempotency key, with the caller's own claim, with sane input."""

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.accounts.models import Policyholder
from api.claims.catalogue import ProviderKind
from api.core.clock import local_today, months_before
from api.reports.models import Report, ReportEvent
from tests.factories import Factory

TODAY = local_today("Europe/Paris")
URL = "/api/v1/reports"


def report_body(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "care_date": (TODAY - timedelta(days=5)).isoformat(),
        "provider_name": "Dr Dupont",
        "description": "Le dentiste a facturé une couronne, je n'ai eu qu'un détartrage.",
        "anomaly_type": "billed_more_than_performed",
    }
    body.update(overrides)
    return body


def count_reports(db: Session) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(Report)) or 0


@pytest.fixture
def holder(factory: Factory) -> Policyholder:
    return factory.policyholder()


def test_filing_answers_the_report_with_its_reference(
    app: FastAPI, client: TestClient, factory: Factory, holder: Policyholder, db: Session
) -> None:
    dentist = factory.provider("Dr Paul Dupont", ProviderKind.DENTIST)
    claim = factory.claim(holder, dentist, TODAY - timedelta(days=5), "HBLD036")
    transcript = [
        {
            "sender": "user",
            "text": "signaler un remboursement suspect",
            "timestamp": "2026-03-05T10:00:00+01:00",
        },
        {
            "sender": "bot",
            "text": "Quelle est la date des soins ?",
            "timestamp": "2026-03-05T10:00:01+01:00",
        },
    ]
    response = client.post(
        URL,
        headers=factory.assistant_auth(holder),
        json=report_body(claim_id=claim.id, transcript=transcript),
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["reference"] == f"SIG-{datetime.now(UTC).year}-{1:06d}"
    assert body["status"] == "received"
    assert body["status_label"] == "Reçu"
    assert body["claim_id"] == claim.id
    assert body["anomaly_type"] == "billed_more_than_performed"
    assert body["channel"] == "assistant"
    assert [t["sender"] for t in body["transcript"]] == ["user", "bot"]
    assert body["transcript"][0]["timestamp"] == "2026-03-05T09:00:00Z"
    assert body["complements"] == []
    fetched = client.get(f"{URL}/{body['reference']}", headers=factory.auth(holder))
    assert fetched.json() == body
    # The filing is the first line of the audit log.
    events = db.scalars(select(ReportEvent)).all()
    assert [(e.kind, e.to_status) for e in events] == [("created", "received")]


def test_same_idempotency_key_returns_the_same_report(
    app: FastAPI, client: TestClient, factory: Factory, holder: Policyholder, db: Session
) -> None:
    headers = {**factory.assistant_auth(holder), "Idempotency-Key": "conv-42-confirm"}
    first = client.post(URL, headers=headers, json=report_body())
    # A retry carries a longer transcript (the user confirmed again): still the same report.
    retry = client.post(
        URL,
        headers=headers,
        json=report_body(
            transcript=[{"sender": "user", "text": "oui", "timestamp": "2026-03-05T10:00:00Z"}]
        ),
    )
    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.json()["reference"] == first.json()["reference"]
    assert count_reports(db) == 1


def test_key_reused_for_a_different_report_is_a_conflict(
    client: TestClient, factory: Factory, holder: Policyholder, db: Session
) -> None:
    headers = {**factory.auth(holder), "Idempotency-Key": "k1"}
    client.post(URL, headers=headers, json=report_body())
    response = client.post(URL, headers=headers, json=report_body(description="Autre chose."))
    assert response.status_code == 409
    assert "clé d'idempotence" in response.json()["detail"]
    assert count_reports(db) == 1


def test_keys_are_per_policyholder(
    client: TestClient, factory: Factory, holder: Policyholder, db: Session
) -> None:
    other = factory.policyholder()
    for person in (holder, other):
        response = client.post(
            URL, headers={**factory.auth(person), "Idempotency-Key": "same"}, json=report_body()
        )
        assert response.status_code == 201
    assert count_reports(db) == 2


def test_parallel_requests_with_one_key_make_one_report(
    live_server: str, factory: Factory, holder: Policyholder, db: Session
) -> None:
    headers = {**factory.auth(holder), "Idempotency-Key": "parallel-key"}

    def post(_: int) -> httpx.Response:
        with httpx.Client(base_url=live_server, timeout=30) as http:
            return http.post(URL, headers=headers, json=report_body())

    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(pool.map(post, range(16)))
    assert sorted(r.status_code for r in responses) == [200] * 15 + [201]
    assert len({r.json()["reference"] for r in responses}) == 1
    assert count_reports(db) == 1
    # The losers of the race wrote nothing: one report, one line in its audit log.
    assert len(db.scalars(select(ReportEvent)).all()) == 1


def test_without_key_each_filing_is_new(
    client: TestClient, factory: Factory, holder: Policyholder, db: Session
) -> None:
    for _ in range(2):
        assert client.post(URL, headers=factory.auth(holder), json=report_body()).status_code == 201
    assert count_reports(db) == 2


def test_someone_elses_claim_cannot_be_reported(
    client: TestClient, factory: Factory, holder: Policyholder, db: Session
) -> None:
    theirs = factory.claim(factory.policyholder(), factory.provider(), TODAY)
    for claim_id in (theirs.id, 987654):
        response = client.post(
            URL, headers=factory.auth(holder), json=report_body(claim_id=claim_id)
        )
        assert response.status_code == 422
        assert response.json()["errors"] == [
            {"field": "claim_id", "message": "Ce remboursement est introuvable parmi les vôtres."}
        ]
    assert count_reports(db) == 0


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"care_date": (TODAY + timedelta(days=1)).isoformat()},
            "care_date",
            "La date des soins ne peut pas être dans le futur.",
        ),
        ({"description": "   "}, "description", "Ce texte ne peut pas être vide."),
        (
            {"description": "x" * 2001},
            "description",
            "Ce texte est trop long (au plus 2000 caractères).",
        ),
        ({"provider_name": ""}, "provider_name", "Ce texte ne peut pas être vide."),
        ({"anomaly_type": "fraud"}, "anomaly_type", None),
        ({"care_date": "03/03/2026"}, "care_date", "Une date au format AAAA-MM-JJ est attendue."),
        (
            {"transcript": [{"sender": "agent", "text": "x", "timestamp": "2026-01-01T00:00:00Z"}]},
            "transcript.0.sender",
            None,
        ),
        (
            {"transcript": [{"sender": "user", "text": "x", "timestamp": "2026-01-01T00:00:00"}]},
            "transcript.0.timestamp",
            "L'heure doit préciser son fuseau horaire.",
        ),
        ({"status": "confirmed"}, "status", "Ce champ n'est pas accepté."),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(
    client: TestClient,
    factory: Factory,
    holder: Policyholder,
    db: Session,
    overrides: dict[str, object],
    field: str,
    message: str | None,
) -> None:
    response = client.post(URL, headers=factory.auth(holder), json=report_body(**overrides))
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert [e["field"] for e in errors] == [field]
    if message:
        assert errors[0]["message"] == message
    assert count_reports(db) == 0


def test_care_date_older_than_the_history_is_refused(
    client: TestClient, factory: Factory, holder: Policyholder
) -> None:
    too_old = months_before(TODAY, 27) - timedelta(days=1)
    response = client.post(
        URL, headers=factory.auth(holder), json=report_body(care_date=too_old.isoformat())
    )
    assert response.status_code == 422
    assert "antérieure à l'historique de vos remboursements" in response.json()["detail"]


def test_text_is_stored_exactly_as_typed(
    client: TestClient, factory: Factory, holder: Policyholder
) -> None:
    typed = "<script>alert('x')</script> 😡 « facturé » & co"
    response = client.post(
        URL,
        headers=factory.auth(holder),
        json=report_body(description=typed, provider_name="<b>Dr</b> Dupont"),
    )
    assert response.status_code == 201
    assert response.json()["description"] == typed
    assert response.json()["provider_name"] == "<b>Dr</b> Dupont"


def test_malformed_idempotency_key_is_refused(
    client: TestClient, factory: Factory, holder: Policyholder
) -> None:
    for key in ("a" * 201, "avec espace"):
        response = client.post(
            URL, headers={**factory.auth(holder), "Idempotency-Key": key}, json=report_body()
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "Idempotency-Key"
