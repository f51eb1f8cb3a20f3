"""Deleting outbox rows whose purpose is over: sent, failed for good or cancelled long enough.

A pending email (queued or being sent) is never deleted, whatever its age. The period counts
from `settled_at`; rows settled before that column existed fall back to when they were sent,
else created. Functions here only flush; the caller owns the transaction.
"""

from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, delete, func, select
from sqlalchemy.orm import Session

from api.notifications.models import PENDING_STATES, Notification, NotificationState

SETTLED_STATES = tuple(s for s in NotificationState if s not in PENDING_STATES)


def _expired(cutoff: datetime) -> list[ColumnElement[bool]]:
    settled = func.coalesce(Notification.settled_at, Notification.sent_at, Notification.created_at)
    return [Notification.state.in_(SETTLED_STATES), settled < cutoff]


def expired_ids(*, session: Session, cutoff: datetime, limit: int) -> list[int]:
    stmt = select(Notification.id).where(*_expired(cutoff)).order_by(Notification.id).limit(limit)
    return list(session.scalars(stmt))


def count_expired(*, session: Session, cutoff: datetime) -> int:
    stmt = select(func.count()).select_from(Notification).where(*_expired(cutoff))
    return session.scalar(stmt) or 0


def delete_notifications(*, session: Session, ids: list[int], cutoff: datetime) -> int:
    """Delete these rows if they are still expired (checked in the statement itself)."""
    if not ids:
        return 0
    result = session.execute(
        delete(Notification)
        .where(Notification.id.in_(ids), *_expired(cutoff))
        .execution_options(synchronize_session=False)
    )
    session.flush()
    return cast(CursorResult[Any], result).rowcount
