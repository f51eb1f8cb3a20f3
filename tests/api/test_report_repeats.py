"""The same claim reported again: one open report per person and claim, enforced by the
database; a second attempt answers with the existing reference and offers the complement."""

from datetime import timedelta

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.accounts.models import Policyholder
from api.claims.catalogue import ProviderKind
from api.claims.models import Claim
from api.core.text import NBSP
from api.reports.models import Report, ReportEvent
from api.reports.workflow import Channel, ReportStatus
from tests.api.report_data import TODAY, URL, body, count, post_all, reports
from tests.factories import Factory


@pytest.fixture
def holder(factory: Factory) -> Policyholder:
    return factory.policyholder()


@pytest.fixture
def claim(factory: Factory, holder: Policyholder) -> Claim:
    dentist = factory.provider("Dr Paul Dupont", ProviderKind.DENTIST)
    return factory.claim(holder, dentist, TODAY - timedelta(days=5), "HBLD036")


def file(
    client: TestClient, factory: Factory, holder: Policyholder, key: str | None, **fields: object
) -> httpx.Response:
    headers = factory.auth(holder) | ({"Idempotency-Key": key} if key else {})
    return client.post(URL, headers=headers, json=body(**fields))


@pytest.mark.parametrize("second_key", ["second-key", None])
def test_a_second_report_on_an_open_claim_answers_with_the_first(
    client: TestClient,
    factory: Factory,
    holder: Policyholder,
    claim: Claim,
    db: Session,
    second_key: str | None,
) -> None:
    first = file(client, factory, holder, "first-key", claim_id=claim.id)
    assert first.status_code == 201
    reference = first.json()["reference"]
    again = file(
        client, factory, holder, second_key, claim_id=claim.id, description="Encore ce soin."
    )
    assert again.status_code == 409
    answer = again.json()
    assert answer["code"] == "already_reported"
    assert answer["reference"] == reference
    assert (answer["status"], answer["status_label"]) == ("received", "Reçu")
    assert answer["detail"] == (
        f"Vous avez déjà signalé ce remboursement{NBSP}: votre signalement {reference} "
        f"(«{NBSP}Reçu{NBSP}») est toujours en cours de traitement. Plutôt que d'en déposer "
        f"un second, vous pouvez lui ajouter un complément{NBSP}: vos précisions rejoindront "
        "son dossier."
    )
    assert count(db) == 1
    assert count(db, ReportEvent) == 1


def test_the_idempotent_retry_still_returns_the_report(
    client: TestClient, factory: Factory, holder: Policyholder, claim: Claim, db: Session
) -> None:
    first = file(client, factory, holder, "conv-7", claim_id=claim.id)
    retry = file(client, factory, holder, "conv-7", claim_id=claim.id)
    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.json() == first.json()
    # The same key with other content is still a reused key, not a repeated report.
    reused = file(client, factory, holder, "conv-7", claim_id=claim.id, description="Autre.")
    assert (reused.status_code, reused.json()["code"]) == (409, "conflict")
    assert "clé d'idempotence" in reused.json()["detail"]
    assert count(db) == 1


@pytest.mark.parametrize(
    ("status", "refused"),
    [
        (ReportStatus.IN_REVIEW, True),
        (ReportStatus.INVESTIGATING, True),
        (ReportStatus.UNFOUNDED, False),
        (ReportStatus.DUPLICATE, False),
        (ReportStatus.CONFIRMED, False),
    ],
)
def test_only_a_closed_report_lets_the_claim_be_reported_again(
    client: TestClient,
    factory: Factory,
    holder: Policyholder,
    claim: Claim,
    db: Session,
    status: ReportStatus,
    refused: bool,
) -> None:
    first = file(client, factory, holder, "k1", claim_id=claim.id)
    report = db.scalars(select(Report)).one()
    report.status = status
    db.commit()
    again = file(client, factory, holder, "k2", claim_id=claim.id)
    if refused:
        assert again.status_code == 409
        assert again.json()["reference"] == first.json()["reference"]
        assert again.json()["status"] == status.value
        assert count(db) == 1
    else:
        assert again.status_code == 201, again.text
        assert again.json()["reference"] != first.json()["reference"]
        # The new report is now the open one: a third attempt names it, not the closed one.
        third = file(client, factory, holder, "k3", claim_id=claim.id)
        assert (third.status_code, third.json()["reference"]) == (409, again.json()["reference"])
        assert count(db) == 2


def test_other_claims_and_reports_without_a_claim_are_not_concerned(
    client: TestClient, factory: Factory, holder: Policyholder, claim: Claim, db: Session
) -> None:
    other_claim = factory.claim(holder, factory.provider(), TODAY - timedelta(days=9))
    assert file(client, factory, holder, None, claim_id=claim.id).status_code == 201
    assert file(client, factory, holder, None, claim_id=other_claim.id).status_code == 201
    for name in ("Ambulances du Rhône", "Taxi Bleu"):
        assert file(client, factory, holder, None, provider_name=name).status_code == 201
    assert count(db) == 4


def test_the_database_itself_refuses_a_second_open_report(
    db: Session, holder: Policyholder, claim: Claim
) -> None:
    def row(status: ReportStatus) -> Report:
        return Report(
            policyholder_id=holder.id,
            claim_id=claim.id,
            care_date=claim.care_date,
            provider_name="Dr Dupont",
            provider_search="dr dupont",
            description="x",
            anomaly_type="other",
            status=status,
            channel=Channel.API,
        )

    db.add_all(
        [row(ReportStatus.UNFOUNDED), row(ReportStatus.CONFIRMED), row(ReportStatus.RECEIVED)]
    )
    db.commit()
    db.add(row(ReportStatus.IN_REVIEW))
    with pytest.raises(IntegrityError):
        db.commit()
    db.rollback()
    assert count(db) == 3


def test_parallel_filings_on_one_claim_make_one_report(
    live_server: str, factory: Factory, holder: Policyholder, claim: Claim, db: Session
) -> None:
    requests = [
        (URL, {**factory.auth(holder), "Idempotency-Key": f"tab-{n}"}, body(claim_id=claim.id))
        for n in range(16)
    ]
    responses = post_all(live_server, requests)
    assert sorted(r.status_code for r in responses) == [201] + [409] * 15
    (created,) = [r.json()["reference"] for r in responses if r.status_code == 201]
    refused = [r.json() for r in responses if r.status_code == 409]
    assert {(r["code"], r["reference"]) for r in refused} == {("already_reported", created)}
    assert [r.reference for r in reports(db)] == [created]
    assert count(db, ReportEvent) == 1
