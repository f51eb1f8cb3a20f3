"""Payment notices: planned with the claim that calls for them, then leased to a worker.

Queueing runs in the claim's transaction, so a claim and its notice are stored together or not
at all. The worker's steps (claim, then mark sent or failed) each take their own transaction.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, Update, func, select, update
from sqlalchemy.orm import Session

from api.accounts.models import Policyholder
from api.notifications.models import (
    PAYMENT_NOTICE_SUBJECT,
    PENDING_STATES,
    Notification,
    NotificationKind,
    NotificationState,
)

# A worker that took an email and did not report back within this time is presumed dead.
LEASE = timedelta(minutes=15)
MAX_ATTEMPTS = 10
RETRY_BASE = timedelta(seconds=30)
RETRY_CAP = timedelta(hours=1)

OPTED_OUT_REASON = "L'assuré ne souhaite plus recevoir ces informations."


def queue_payment_notice(
    *, session: Session, policyholder: Policyholder, now: datetime, window: timedelta
) -> Notification | None:
    """Plan the email a new reimbursement calls for, unless one already planned will do.

    At most one notice is pending per person, and two leave at least `window` apart; with a
    zero window, each reimbursement has its own. None if the person opted out.
    """
    if not policyholder.notify_payments:
        return None
    # One planner at a time per person. NO KEY UPDATE (PostgreSQL) does not conflict with the
    # key-share lock that inserting the claim took; SQLite writers are serialised already.
    session.execute(
        select(Policyholder.id)
        .where(Policyholder.id == policyholder.id)
        .with_for_update(key_share=True)
    )
    mine = (
        Notification.policyholder_id == policyholder.id,
        Notification.kind == NotificationKind.PAYMENT_NOTICE,
    )
    send_after = now
    if window > timedelta(0):
        pending = session.scalars(
            select(Notification)
            .where(*mine, Notification.state.in_(PENDING_STATES))
            .order_by(Notification.id)
            .limit(1)
        ).first()
        if pending is not None:
            return pending
        last_sent_at = session.scalar(
            select(func.max(Notification.sent_at)).where(
                *mine, Notification.state == NotificationState.SENT
            )
        )
        if last_sent_at is not None and last_sent_at + window > now:
            send_after = last_sent_at + window
    notification = Notification(
        policyholder_id=policyholder.id,
        kind=NotificationKind.PAYMENT_NOTICE,
        to_address=policyholder.email,
        subject=PAYMENT_NOTICE_SUBJECT,
        state=NotificationState.QUEUED,
        attempts=0,
        send_after=send_after,
        next_attempt_at=send_after,
        created_at=now,
    )
    session.add(notification)
    session.flush()
    return notification


@dataclass(frozen=True)
class Lease:
    """An email a worker holds until `expires_at`; `attempt` fences its later updates."""

    notification_id: int
    attempt: int
    expires_at: datetime
    kind: NotificationKind
    subject: str
    created_at: datetime
    to_address: str
    first_name: str
    last_name: str


def claim_next(*, session: Session, now: datetime, lease: timedelta = LEASE) -> Lease | None:
    """Lease the next due email: queued and due, or held by a worker whose lease ran out.

    Safe with several workers: PostgreSQL skips rows another worker has locked, SQLite
    serialises writers, and the conditional update takes a row only if it is still due.
    Emails of people who opted out meanwhile are cancelled on the way.
    """
    due = (Notification.state.in_(PENDING_STATES), Notification.next_attempt_at <= now)
    while True:
        row = session.execute(
            select(
                Notification.id,
                Notification.attempts,
                Notification.kind,
                Notification.subject,
                Notification.created_at,
                Notification.policyholder_id,
            )
            .where(*due)
            .order_by(Notification.next_attempt_at, Notification.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        ).first()
        if row is None:
            return None
        holder = session.get(Policyholder, row.policyholder_id, populate_existing=True)
        assert holder is not None  # a foreign key
        taken = _changed(
            session,
            update(Notification)
            .where(Notification.id == row.id, *due)
            .values(_lease_values(holder, row.attempts + 1, now, lease)),
        )
        if taken and holder.notify_payments:  # else: taken by another worker, or cancelled
            return Lease(
                notification_id=row.id,
                attempt=row.attempts + 1,
                expires_at=now + lease,
                kind=row.kind,
                subject=row.subject,
                created_at=row.created_at,
                to_address=holder.email,
                first_name=holder.first_name,
                last_name=holder.last_name,
            )


def _lease_values(
    holder: Policyholder, attempt: int, now: datetime, lease: timedelta
) -> dict[str, object]:
    if not holder.notify_payments:
        return {
            "state": NotificationState.CANCELLED,
            "next_attempt_at": None,
            "settled_at": now,
            "last_error": OPTED_OUT_REASON,
        }
    return {
        "state": NotificationState.SENDING,
        "attempts": attempt,
        "next_attempt_at": now + lease,
        "to_address": holder.email,
    }


def _changed(session: Session, statement: Update) -> bool:
    """Run a conditional update of one row; True if the row matched."""
    result = session.execute(statement.execution_options(synchronize_session=False))
    return cast(CursorResult[Any], result).rowcount == 1


def _fenced(lease: Lease) -> tuple[ColumnElement[bool], ...]:
    """Only the worker holding the current lease may settle the email."""
    return (
        Notification.id == lease.notification_id,
        Notification.state == NotificationState.SENDING,
        Notification.attempts == lease.attempt,
    )


def mark_sent(*, session: Session, lease: Lease, now: datetime) -> bool:
    """Record that the SMTP server accepted the email; False if the lease was lost meanwhile."""
    return _changed(
        session,
        update(Notification)
        .where(*_fenced(lease))
        .values(
            state=NotificationState.SENT,
            sent_at=now,
            settled_at=now,
            next_attempt_at=None,
            last_error=None,
        ),
    )


def retry_delay(attempt: int) -> timedelta:
    """30 s after the first failure, doubling each time, at most an hour."""
    return min(RETRY_BASE * (1 << min(max(attempt - 1, 0), 20)), RETRY_CAP)


def mark_failed(
    *,
    session: Session,
    lease: Lease,
    now: datetime,
    reason: str,
    permanent: bool = False,
    server_down: bool = False,
) -> NotificationState | None:
    """Schedule a retry with backoff, or give up; None if the lease was lost meanwhile.

    Refused for good: given up at once. Refused for now: retried MAX_ATTEMPTS times in all.
    Server unreachable or misconfigured: retried until it comes back, so nothing is lost.
    """
    give_up = permanent or (not server_down and lease.attempt >= MAX_ATTEMPTS)
    state = NotificationState.FAILED if give_up else NotificationState.QUEUED
    settled = _changed(
        session,
        update(Notification)
        .where(*_fenced(lease))
        .values(
            state=state,
            next_attempt_at=None if give_up else now + retry_delay(lease.attempt),
            settled_at=now if give_up else None,
            last_error=reason[:500],
        ),
    )
    return state if settled else None


def list_notifications(
    *,
    session: Session,
    state: NotificationState | None,
    policyholder_id: int | None,
    limit: int,
    offset: int,
) -> tuple[list[Notification], int]:
    """The outbox, newest first."""
    stmt = select(Notification)
    if state is not None:
        stmt = stmt.where(Notification.state == state)
    if policyholder_id is not None:
        stmt = stmt.where(Notification.policyholder_id == policyholder_id)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    page = stmt.order_by(Notification.created_at.desc(), Notification.id.desc())
    return list(session.scalars(page.limit(limit).offset(offset))), total
