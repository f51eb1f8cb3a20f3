"""When a reimbursement is recorded, an email is planned: at once, or grouped within the window."""

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.accounts.models import Policyholder, StaffRole
from api.core.clock import local_today
from api.core.config import Settings
from api.core.db import utcnow
from api.main import create_app
from api.notifications import service
from api.notifications.models import Notification, NotificationKind, NotificationState
from tests.factories import Factory
from tests.notifications.support import Worker, outbox

URL = "/api/v1/claims"
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
WINDOW = timedelta(days=15)


@pytest.fixture
def holder(factory: Factory) -> Policyholder:
    return factory.policyholder(first_name="Camille", last_name="Bernard")


def claim_body(holder: Policyholder, provider_id: int, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "policyholder_id": holder.id,
        "provider_id": provider_id,
        "act_code": "G",
        "care_date": (local_today("Europe/Paris") - timedelta(days=2)).isoformat(),
        "amount_billed": 30,
        "amount_reimbursed": 21,
    }
    body.update(fields)
    return body


def record(client: TestClient, factory: Factory, holder: Policyholder, **fields: Any) -> int:
    admin = factory.staff(StaffRole.ADMIN)
    response = client.post(
        URL, headers=factory.auth(admin), json=claim_body(holder, factory.provider().id, **fields)
    )
    status: int = response.status_code
    return status


def queue(db: Session, holder: Policyholder, now: datetime, window: timedelta = WINDOW) -> None:
    db.commit()  # a fresh transaction, as each request has
    service.queue_payment_notice(session=db, policyholder=holder, now=now, window=window)
    db.commit()


def test_recording_a_claim_queues_an_email(
    client: TestClient, factory: Factory, holder: Policyholder, db: Session
) -> None:
    before = utcnow()
    assert record(client, factory, holder) == 201
    [notification] = outbox(db)
    assert notification.policyholder_id == holder.id
    assert notification.kind is NotificationKind.PAYMENT_NOTICE
    assert notification.subject == "Information de paiement"
    assert notification.to_address == holder.email
    assert notification.state is NotificationState.QUEUED
    assert notification.attempts == 0
    assert before <= notification.send_after <= utcnow()
    assert notification.next_attempt_at == notification.send_after


def test_more_claims_while_an_email_waits_share_it(
    client: TestClient, factory: Factory, holder: Policyholder, db: Session
) -> None:
    for _ in range(3):
        assert record(client, factory, holder) == 201
    assert len(outbox(db)) == 1


def test_each_person_has_their_own_email(
    client: TestClient, factory: Factory, holder: Policyholder, db: Session
) -> None:
    other = factory.policyholder()
    record(client, factory, holder)
    record(client, factory, other)
    assert sorted(n.policyholder_id for n in outbox(db)) == sorted([holder.id, other.id])


def test_people_who_opted_out_get_nothing(
    client: TestClient, factory: Factory, db: Session
) -> None:
    quiet = factory.policyholder(notify_payments=False)
    assert record(client, factory, quiet) == 201
    assert outbox(db) == []


def test_a_refused_claim_queues_nothing(
    client: TestClient, factory: Factory, holder: Policyholder, db: Session
) -> None:
    assert record(client, factory, holder, act_code="NOPE") == 422
    tomorrow = local_today("Europe/Paris") + timedelta(days=1)
    assert record(client, factory, holder, care_date=tomorrow.isoformat()) == 422
    assert outbox(db) == []


def test_window_zero_sends_one_email_per_reimbursement(
    settings: Settings, factory: Factory, holder: Policyholder, db: Session
) -> None:
    app = create_app(settings.model_copy(update={"notify_window_days": 0}))
    with TestClient(app) as client:
        for _ in range(3):
            assert record(client, factory, holder) == 201
    app.state.engine.dispose()
    assert [n.state for n in outbox(db)] == [NotificationState.QUEUED] * 3


def test_grouping_follows_the_window(
    factory: Factory, holder: Policyholder, db: Session, worker: Worker
) -> None:
    # A first reimbursement after a quiet period: the email leaves at once.
    queue(db, holder, T0)
    assert worker.run(T0).sent == 1
    # Three days later, another: it waits for the end of the window opened by that email.
    queue(db, holder, T0 + timedelta(days=3))
    # And more within the window are covered by that one.
    queue(db, holder, T0 + timedelta(days=5))
    queue(db, holder, T0 + timedelta(days=14))
    sent, waiting = outbox(db)
    assert sent.state is NotificationState.SENT and sent.sent_at == T0
    assert waiting.state is NotificationState.QUEUED
    assert waiting.send_after == T0 + WINDOW
    assert worker.run(T0 + timedelta(days=14, hours=23)).sent == 0
    assert worker.run(T0 + WINDOW).sent == 1
    # Long after the last email, the next reimbursement is told at once again.
    later = T0 + WINDOW + timedelta(days=16)
    queue(db, holder, later)
    assert outbox(db)[-1].send_after == later
    assert len(outbox(db)) == 3


def test_with_window_zero_every_reimbursement_is_told_at_once(
    holder: Policyholder, db: Session, worker: Worker
) -> None:
    queue(db, holder, T0, timedelta(0))
    worker.run(T0)
    queue(db, holder, T0 + timedelta(hours=1), timedelta(0))
    queue(db, holder, T0 + timedelta(hours=2), timedelta(0))
    rows = outbox(db)
    assert [n.send_after for n in rows] == [T0, T0 + timedelta(hours=1), T0 + timedelta(hours=2)]
    assert worker.run(T0 + timedelta(hours=2)).sent == 2


def test_a_failed_email_does_not_hold_back_the_next_one(holder: Policyholder, db: Session) -> None:
    queue(db, holder, T0)
    [first] = outbox(db)
    first.state = NotificationState.FAILED
    first.next_attempt_at = None
    db.commit()
    queue(db, holder, T0 + timedelta(days=1))
    assert outbox(db)[-1].send_after == T0 + timedelta(days=1)


def test_parallel_claims_for_one_person_make_one_email(
    live_server: str, factory: Factory, holder: Policyholder, db: Session
) -> None:
    headers = factory.auth(factory.staff(StaffRole.ADMIN))
    providers = [factory.provider().id for _ in range(8)]

    def post(provider_id: int) -> int:
        with httpx.Client(base_url=live_server, timeout=30) as http:
            return http.post(URL, headers=headers, json=claim_body(holder, provider_id)).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(post, providers)) == [201] * 8
    assert len(outbox(db)) == 1


def test_admins_follow_the_outbox(
    client: TestClient, factory: Factory, holder: Policyholder, db: Session, worker: Worker
) -> None:
    record(client, factory, holder)
    worker.run(utcnow())
    record(client, factory, factory.policyholder())
    admin = factory.staff(StaffRole.ADMIN)
    body = client.get("/api/v1/notifications", headers=factory.auth(admin)).json()
    assert body["total"] == 2
    newest, oldest = body["items"]
    assert newest["state"] == "queued"
    assert oldest["state"] == "sent"
    assert oldest["policyholder_id"] == holder.id
    assert oldest["attempts"] == 1
    assert oldest["last_error"] is None
    assert set(oldest) == {
        "id",
        "policyholder_id",
        "kind",
        "to_address",
        "subject",
        "state",
        "attempts",
        "send_after",
        "next_attempt_at",
        "last_error",
        "created_at",
        "sent_at",
    }
    queued = client.get(
        "/api/v1/notifications", headers=factory.auth(admin), params={"state": "queued"}
    ).json()
    assert [n["id"] for n in queued["items"]] == [newest["id"]]


@pytest.mark.parametrize("role", [StaffRole.AGENT, StaffRole.TRAINER])
def test_only_admins_see_the_outbox(client: TestClient, factory: Factory, role: StaffRole) -> None:
    response = client.get("/api/v1/notifications", headers=factory.auth(factory.staff(role)))
    assert response.status_code == 403


def test_policyholders_do_not_see_the_outbox(
    client: TestClient, factory: Factory, holder: Policyholder
) -> None:
    assert client.get("/api/v1/notifications", headers=factory.auth(holder)).status_code == 403
    assert client.get("/api/v1/notifications").status_code == 401


def test_the_demo_seed_queues_one_email_per_demo_person(
    app_demo_client: TestClient, db: Session
) -> None:
    rows: list[Notification] = outbox(db)
    assert len(rows) == 3
    assert {n.to_address for n in rows} == {
        "camille.bernard@example.fr",
        "julien.moreau@example.fr",
        "fatima.haddad@example.fr",
    }
    assert all(n.state is NotificationState.QUEUED for n in rows)
