"""Complements: the owner adds to an open report, once per idempotency key; others see a 404."""

from datetime import timedelta

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.accounts.models import Policyholder, StaffRole, StaffUser
from api.core.text import NBSP
from api.reports.models import Report, ReportEvent
from api.reports.workflow import ReportStatus
from tests.api.report_data import TODAY, URL, body, post_all
from tests.factories import Factory

TEXT = "J'ai retrouvé la facture : seul un détartrage y figure."


@pytest.fixture
def holder(factory: Factory) -> Policyholder:
    return factory.policyholder()


@pytest.fixture
def reference(client: TestClient, factory: Factory, holder: Policyholder) -> str:
    claim = factory.claim(holder, factory.provider(), TODAY - timedelta(days=5))
    response = client.post(URL, headers=factory.auth(holder), json=body(claim_id=claim.id))
    assert response.status_code == 201
    reference: str = response.json()["reference"]
    return reference


def complement(
    client: TestClient,
    factory: Factory,
    who: Policyholder | StaffUser,
    reference: str,
    text: object = TEXT,
    key: str | None = "add-1",
) -> httpx.Response:
    headers = factory.auth(who) | ({"Idempotency-Key": key} if key else {})
    return client.post(f"{URL}/{reference}/complements", headers=headers, json={"text": text})


def complements(db: Session) -> list[ReportEvent]:
    db.commit()  # ends the read transaction: the next query sees what the API committed
    db.expire_all()
    stmt = select(ReportEvent).where(ReportEvent.kind == "complement").order_by(ReportEvent.id)
    return list(db.scalars(stmt))


def test_the_owner_adds_a_complement_seen_by_them_and_by_agents(
    client: TestClient, factory: Factory, holder: Policyholder, reference: str, db: Session
) -> None:
    filed_at = db.scalars(select(Report)).one().updated_at
    response = complement(client, factory, holder, reference, text=f"  {TEXT}  ")
    assert response.status_code == 201, response.text
    added = response.json()["complements"]
    assert [c["text"] for c in added] == [TEXT]
    assert client.get(f"{URL}/{reference}", headers=factory.auth(holder)).json() == response.json()
    (event,) = complements(db)
    assert (event.kind, event.actor_id, event.note) == ("complement", None, TEXT)
    assert db.scalars(select(Report)).one().updated_at > filed_at
    agent = factory.staff(StaffRole.AGENT)
    staff_view = client.get(f"{URL}/{reference}", headers=factory.auth(agent)).json()
    assert [(e["kind"], e["note"]) for e in staff_view["events"]] == [
        ("created", None),
        ("complement", TEXT),
    ]
    listed = client.get(URL, headers=factory.auth(agent)).json()["items"]
    assert [c["text"] for c in listed[0]["complements"]] == [TEXT]
    mine = client.get(URL, headers=factory.auth(holder)).json()["items"]
    assert [c["text"] for c in mine[0]["complements"]] == [TEXT]


def test_a_retry_with_the_same_key_adds_nothing(
    client: TestClient, factory: Factory, holder: Policyholder, reference: str, db: Session
) -> None:
    first = complement(client, factory, holder, reference)
    retry = complement(client, factory, holder, reference)
    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.json()["complements"] == first.json()["complements"]
    reused = complement(client, factory, holder, reference, text="Autre chose.")
    assert reused.status_code == 409
    assert reused.json()["detail"] == (
        f"Cette clé d'idempotence a déjà servi pour un autre complément{NBSP}: "
        "utilisez une nouvelle clé pour un nouveau complément."
    )
    second = complement(client, factory, holder, reference, text="Autre chose.", key="add-2")
    assert second.status_code == 201
    # Without a key, each request is a new complement.
    for _ in range(2):
        assert complement(client, factory, holder, reference, key=None).status_code == 201
    assert [e.note for e in complements(db)] == [TEXT, "Autre chose.", TEXT, TEXT]


def test_parallel_retries_add_one_complement(
    live_server: str, factory: Factory, holder: Policyholder, reference: str, db: Session
) -> None:
    headers = {**factory.auth(holder), "Idempotency-Key": "same"}
    requests = [(f"{URL}/{reference}/complements", headers, {"text": TEXT}) for _ in range(8)]
    responses = post_all(live_server, requests)
    assert sorted(r.status_code for r in responses) == [200] * 7 + [201]
    assert len(complements(db)) == 1


def test_another_persons_report_is_not_found_like_a_missing_one(
    client: TestClient, factory: Factory, reference: str, db: Session
) -> None:
    stranger = factory.policyholder()
    theirs = complement(client, factory, stranger, reference)
    missing = complement(client, factory, stranger, "SIG-2026-999999")
    malformed = complement(client, factory, stranger, "n-importe-quoi")
    assert theirs.status_code == missing.status_code == malformed.status_code == 404
    assert theirs.json() == missing.json() == malformed.json()
    assert theirs.json()["detail"] == "Ce signalement est introuvable."
    agent = factory.staff(StaffRole.AGENT)
    assert complement(client, factory, agent, reference).status_code == 403
    assert complements(db) == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("   ", "Ce texte ne peut pas être vide."),
        ("x" * 2001, "Ce texte est trop long (au plus 2000 caractères)."),
        (None, "Un texte est attendu."),
    ],
)
def test_the_text_is_checked_like_the_description(
    client: TestClient,
    factory: Factory,
    holder: Policyholder,
    reference: str,
    db: Session,
    text: object,
    message: str,
) -> None:
    response = complement(client, factory, holder, reference, text=text)
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "text", "message": message}]
    extra = client.post(
        f"{URL}/{reference}/complements",
        headers=factory.auth(holder),
        json={"text": TEXT, "status": "confirmed"},
    )
    assert extra.json()["errors"] == [{"field": "status", "message": "Ce champ n'est pas accepté."}]
    assert complements(db) == []


def test_a_closed_report_takes_no_complement(
    client: TestClient, factory: Factory, holder: Policyholder, reference: str, db: Session
) -> None:
    complement(client, factory, holder, reference, key="before")
    report = db.scalars(select(Report)).one()
    report.status = ReportStatus.UNFOUNDED
    db.commit()
    response = complement(client, factory, holder, reference, key="after")
    assert response.status_code == 409
    assert response.json()["code"] == "report_closed"
    assert response.json()["reference"] == reference
    assert response.json()["detail"] == (
        f"Le signalement {reference} est clos («{NBSP}Classé sans suite{NBSP}»){NBSP}: un "
        "complément n'y serait plus lu. Si les faits demandent un nouvel examen, déposez un "
        "nouveau signalement."
    )
    # The retry of a complement added while it was open still answers with it.
    assert complement(client, factory, holder, reference, key="before").status_code == 200
    assert len(complements(db)) == 1


def test_a_duplicate_points_to_the_report_to_complete(
    client: TestClient, factory: Factory, holder: Policyholder, reference: str, db: Session
) -> None:
    original = client.post(URL, headers=factory.auth(holder), json=body()).json()["reference"]
    report = db.scalars(select(Report).order_by(Report.id)).first()
    assert report is not None
    report.status = ReportStatus.DUPLICATE
    report.duplicate_of_id = int(original.rsplit("-", 1)[1])
    db.commit()
    response = complement(client, factory, holder, reference)
    assert response.status_code == 409
    assert response.json()["detail"].endswith(
        f"Ajoutez plutôt vos précisions au signalement {original}."
    )
