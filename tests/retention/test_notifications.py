"""Outbox rows: deleted once their purpose is over and the period has run, never pending."""

from datetime import datetime, timedelta

from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.accounts.models import Policyholder
from api.core.config import Settings
from api.core.db import utcnow
from api.notifications import service
from api.notifications.models import Notification, NotificationKind, NotificationState
from tests.factories import Factory
from tests.retention.support import TrackerStore, policy_for, run

NOW = utcnow()
CUTOFF = NOW - timedelta(days=90)


def notice(
    db: Session,
    holder: Policyholder,
    state: NotificationState,
    *,
    created: datetime,
    sent: datetime | None = None,
    settled: datetime | None = None,
) -> int:
    row = Notification(
        policyholder_id=holder.id,
        kind=NotificationKind.PAYMENT_NOTICE,
        to_address=holder.email,
        subject="Information de paiement",
        state=state,
        attempts=1,
        send_after=created,
        next_attempt_at=created if state == NotificationState.QUEUED else None,
        created_at=created,
        sent_at=sent,
        settled_at=settled,
    )
    db.add(row)
    db.commit()
    return row.id


def test_settled_emails_go_after_the_period_pending_ones_never(
    app: FastAPI, settings: Settings, db: Session, factory: Factory, tracker: TrackerStore
) -> None:
    holder = factory.policyholder()
    long_ago = NOW - timedelta(days=400)
    day = timedelta(days=1)
    sent, failed, cancelled = (
        NotificationState.SENT,
        NotificationState.FAILED,
        NotificationState.CANCELLED,
    )
    kept = {
        "sent one day before": notice(
            db, holder, sent, created=long_ago, sent=CUTOFF + day, settled=CUTOFF + day
        ),
        # Created long ago, failed for good recently: counted from the failure.
        "failed recently": notice(db, holder, failed, created=long_ago, settled=CUTOFF + day),
        "queued for a year": notice(db, holder, NotificationState.QUEUED, created=long_ago),
        "sending for a year": notice(db, holder, NotificationState.SENDING, created=long_ago),
    }
    gone = {
        "sent one day after": notice(
            db, holder, sent, created=long_ago, sent=CUTOFF - day, settled=CUTOFF - day
        ),
        "failed": notice(db, holder, failed, created=long_ago, settled=CUTOFF - day),
        "cancelled": notice(db, holder, cancelled, created=long_ago, settled=CUTOFF - day),
        # Settled before `settled_at` existed: its sending (or creation) counts.
        "legacy sent": notice(db, holder, sent, created=long_ago, sent=CUTOFF - day),
    }

    result = run(app.state.engine, policy_for(settings, tracker.url), NOW)

    db.commit()
    left = set(db.scalars(select(Notification.id)))
    assert left == set(kept.values())
    tally = result.tallies["notifications"]
    assert (tally.done, tally.remaining) == (len(gone), 0)


def test_the_outbox_records_when_an_email_is_settled(db: Session, factory: Factory) -> None:
    holder = factory.policyholder()
    window = timedelta(days=15)
    now = utcnow()
    first = service.queue_payment_notice(session=db, policyholder=holder, now=now, window=window)
    db.commit()
    assert first is not None and first.settled_at is None
    lease = service.claim_next(session=db, now=now)
    assert lease is not None
    assert service.mark_sent(session=db, lease=lease, now=now)
    db.commit()
    db.expire_all()
    assert db.get_one(Notification, first.id).settled_at == now

    later = now + window + timedelta(minutes=1)
    second = service.queue_payment_notice(session=db, policyholder=holder, now=later, window=window)
    db.commit()
    lease = service.claim_next(session=db, now=later)
    assert second is not None and lease is not None
    state = service.mark_failed(session=db, lease=lease, now=later, reason="550", permanent=True)
    db.commit()
    db.expire_all()
    assert state == NotificationState.FAILED
    assert db.get_one(Notification, second.id).settled_at == later
