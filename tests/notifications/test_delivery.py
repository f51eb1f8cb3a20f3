"""Delivery through a real SMTP server: once, retried with backoff, never lost, never doubled."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy.orm import Session

from api.accounts.models import Policyholder
from api.notifications import service
from api.notifications.models import NotificationState
from api.notifications.worker import RunReport, run_once
from tests.factories import Factory
from tests.notifications.support import (
    SmtpRecorder,
    Worker,
    free_port,
    mail_settings_for,
    outbox,
)

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def holder(factory: Factory) -> Policyholder:
    return factory.policyholder(email="camille.bernard@example.fr")


def queue(db: Session, holder: Policyholder, now: datetime = T0) -> None:
    db.commit()
    service.queue_payment_notice(session=db, policyholder=holder, now=now, window=timedelta(0))
    db.commit()


def test_an_email_is_sent_once(
    holder: Policyholder, db: Session, worker: Worker, smtp_server: SmtpRecorder
) -> None:
    queue(db, holder)
    assert worker.run(T0) == RunReport(sent=1)
    assert worker.run(T0 + timedelta(minutes=1)) == RunReport()
    assert worker.run(T0 + timedelta(days=30)) == RunReport()
    assert len(smtp_server.received) == 1
    assert smtp_server.handler.recipients == [["camille.bernard@example.fr"]]
    [notification] = outbox(db)
    assert notification.state is NotificationState.SENT
    assert notification.sent_at == T0
    assert notification.attempts == 1
    assert notification.next_attempt_at is None
    assert notification.last_error is None


def test_an_email_waits_for_its_time(
    holder: Policyholder, db: Session, worker: Worker, smtp_server: SmtpRecorder
) -> None:
    queue(db, holder, T0 + timedelta(hours=1))
    assert worker.run(T0).sent == 0
    assert worker.run(T0 + timedelta(hours=1)).sent == 1


def test_a_refusal_for_now_is_retried_with_backoff_and_delivered_once(
    holder: Policyholder, db: Session, worker: Worker, smtp_server: SmtpRecorder
) -> None:
    smtp_server.handler.refusals = ["451 4.3.0 Essayez plus tard", "421 4.7.0 Trop de messages"]
    queue(db, holder)

    assert worker.run(T0) == RunReport(retried=1)
    [notification] = outbox(db)
    assert notification.state is NotificationState.QUEUED
    assert notification.attempts == 1
    assert notification.last_error == "Refus du serveur SMTP (451) : 4.3.0 Essayez plus tard"
    assert notification.next_attempt_at == T0 + timedelta(seconds=30)

    assert worker.run(T0 + timedelta(seconds=29)) == RunReport()
    assert worker.run(T0 + timedelta(seconds=30)) == RunReport(retried=1)
    [notification] = outbox(db)
    assert notification.next_attempt_at == T0 + timedelta(seconds=30 + 60)

    assert worker.run(T0 + timedelta(seconds=90)) == RunReport(sent=1)
    assert worker.run(T0 + timedelta(days=1)) == RunReport()
    assert len(smtp_server.received) == 1
    [notification] = outbox(db)
    assert notification.state is NotificationState.SENT
    assert notification.attempts == 3
    assert notification.last_error is None


def test_backoff_doubles_up_to_an_hour() -> None:
    delays = [service.retry_delay(attempt) for attempt in range(1, 11)]
    assert delays[:4] == [timedelta(seconds=s) for s in (30, 60, 120, 240)]
    assert delays[-1] == timedelta(hours=1)
    assert delays == sorted(delays)


def test_an_email_refused_every_time_fails_with_the_reason(
    holder: Policyholder, db: Session, worker: Worker, smtp_server: SmtpRecorder
) -> None:
    smtp_server.handler.refusals = ["452 4.2.2 Boîte pleine"] * service.MAX_ATTEMPTS
    queue(db, holder)
    now = T0
    for attempt in range(1, service.MAX_ATTEMPTS):
        assert worker.run(now) == RunReport(retried=1)
        now += service.retry_delay(attempt)
    assert worker.run(now) == RunReport(failed=1)
    assert worker.run(now + timedelta(days=1)) == RunReport()
    [notification] = outbox(db)
    assert notification.state is NotificationState.FAILED
    assert notification.attempts == service.MAX_ATTEMPTS
    assert notification.next_attempt_at is None
    assert notification.last_error == "Refus du serveur SMTP (452) : 4.2.2 Boîte pleine"
    assert smtp_server.received == []


def test_a_refusal_for_good_fails_at_once_without_the_address_in_the_reason(
    holder: Policyholder, db: Session, worker: Worker, smtp_server: SmtpRecorder
) -> None:
    smtp_server.handler.refusals = [
        "550 5.1.1 <Camille.Bernard@example.fr>: Recipient address rejected"
    ]
    queue(db, holder)
    assert worker.run(T0) == RunReport(failed=1)
    [notification] = outbox(db)
    assert notification.state is NotificationState.FAILED
    assert notification.last_error == (
        "Refus du serveur SMTP (550) : 5.1.1 <<destinataire>>: Recipient address rejected"
    )


def test_nothing_is_lost_while_the_smtp_server_is_down(
    factory: Factory, holder: Policyholder, db: Session, worker: Worker, smtp_server: SmtpRecorder
) -> None:
    queue(db, holder)
    queue(db, factory.policyholder())
    nobody_listens = mail_settings_for(free_port())
    now = T0
    for _ in range(service.MAX_ATTEMPTS + 2):
        report = worker.run(now, mail=nobody_listens)
        assert report.server_down and report.sent == 0
        now += timedelta(hours=1)
    rows = outbox(db)
    assert {n.state for n in rows} == {NotificationState.QUEUED}
    assert all(n.last_error and n.last_error.startswith("Serveur SMTP injoignable") for n in rows)
    # The server is back: everything goes, once.
    assert worker.run(now).sent == 2
    assert len(smtp_server.received) == 2


def test_an_email_held_by_a_worker_that_died_is_taken_again(
    holder: Policyholder, db: Session, worker: Worker, smtp_server: SmtpRecorder
) -> None:
    queue(db, holder)
    # A worker leases the email, then dies before sending it.
    lease = service.claim_next(session=db, now=T0)
    db.commit()
    assert lease is not None and lease.attempt == 1
    assert outbox(db)[0].state is NotificationState.SENDING

    assert worker.run(T0 + timedelta(minutes=1)) == RunReport()  # the lease still runs
    assert worker.run(T0 + service.LEASE) == RunReport(sent=1)
    assert len(smtp_server.received) == 1
    [notification] = outbox(db)
    assert notification.state is NotificationState.SENT
    assert notification.attempts == 2
    # The dead worker, had it woken up, could not settle the email any more.
    assert not service.mark_sent(session=db, lease=lease, now=T0 + timedelta(hours=1))
    state = service.mark_failed(session=db, lease=lease, now=T0, reason="x", permanent=True)
    assert state is None
    db.commit()
    assert outbox(db)[0].state is NotificationState.SENT


def test_two_workers_send_each_email_once(
    app: FastAPI, factory: Factory, db: Session, smtp_server: SmtpRecorder
) -> None:
    holders = [factory.policyholder() for _ in range(12)]
    for holder in holders:
        queue(db, holder)
    start = threading.Barrier(2)
    reports: list[RunReport] = []

    def work() -> None:
        start.wait()
        reports.append(
            run_once(
                sessionmaker=app.state.sessionmaker,
                mail=mail_settings_for(smtp_server.port),
                now=T0,
                batch_size=50,
            )
        )

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(r.sent for r in reports) == 12
    message_ids = [m["Message-ID"] for m in smtp_server.received]
    assert len(message_ids) == len(set(message_ids)) == 12
    assert sorted(r[0] for r in smtp_server.handler.recipients) == sorted(h.email for h in holders)
    assert {n.state for n in outbox(db)} == {NotificationState.SENT}


def test_people_who_opt_out_before_it_leaves_get_nothing(
    holder: Policyholder, db: Session, worker: Worker, smtp_server: SmtpRecorder
) -> None:
    queue(db, holder)
    holder.notify_payments = False
    db.commit()
    assert worker.run(T0) == RunReport()
    [notification] = outbox(db)
    assert notification.state is NotificationState.CANCELLED
    assert notification.last_error == service.OPTED_OUT_REASON
    assert smtp_server.received == []


def test_the_email_goes_to_the_address_known_when_it_leaves(
    holder: Policyholder, db: Session, worker: Worker, smtp_server: SmtpRecorder
) -> None:
    queue(db, holder)
    holder.email = "camille.nouvelle@example.fr"
    db.commit()
    assert worker.run(T0).sent == 1
    assert smtp_server.handler.recipients == [["camille.nouvelle@example.fr"]]
    assert smtp_server.received[0]["To"] == "camille.nouvelle@example.fr"
    assert outbox(db)[0].to_address == "camille.nouvelle@example.fr"


def test_an_address_that_cannot_go_in_a_header_fails_at_once(
    factory: Factory, db: Session, worker: Worker, smtp_server: SmtpRecorder
) -> None:
    queue(db, factory.policyholder(email="camille@example.fr\r\nBcc: pirate@example.com"))
    assert worker.run(T0) == RunReport(failed=1)
    [notification] = outbox(db)
    assert notification.state is NotificationState.FAILED
    assert notification.last_error == "Adresse du destinataire invalide."
    assert smtp_server.received == []
