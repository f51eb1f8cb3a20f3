"""The security audit log: one line per lock, unlock, sessions ended, password changed."""

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.accounts.auth_sessions import AccountRef
from api.accounts.models import SecurityEvent, SecurityEventKind, ThrottleScope
from api.core.db import delete_at_most


def record(
    *,
    session: Session,
    kind: SecurityEventKind,
    scope: ThrottleScope | None = None,
    account: AccountRef | None = None,
    username_hash: str | None = None,
    address_hash: str | None = None,
    admin_id: int | None = None,
    failures: int | None = None,
    locked_until: float | None = None,
    sessions_ended: int | None = None,
) -> SecurityEvent:
    """One line. The account by id when it exists, else by the keyed hash of the username
    typed; the address by keyed hash. Never a password, a token or a raw address."""
    event = SecurityEvent(
        kind=kind,
        scope=scope,
        account_kind=account.kind if account else None,
        account_id=account.id if account else None,
        username_hash=None if account else username_hash,
        address_hash=address_hash,
        admin_id=admin_id,
        failures=failures,
        locked_until=datetime.fromtimestamp(locked_until, UTC) if locked_until else None,
        sessions_ended=sessions_ended,
    )
    session.add(event)
    session.flush()
    return event


def recent(*, session: Session, limit: int, offset: int = 0) -> tuple[list[SecurityEvent], int]:
    """The newest lines first, and how many there are."""
    stmt = select(SecurityEvent).order_by(SecurityEvent.id.desc()).limit(limit).offset(offset)
    total = session.scalar(select(func.count()).select_from(SecurityEvent)) or 0
    return list(session.scalars(stmt)), total


def purge(*, session: Session, before: datetime, cap: int, dry_run: bool = False) -> int:
    """Delete the lines older than `before`, at most `cap` (a dry run counts them)."""
    old = SecurityEvent.created_at < before
    return delete_at_most(session, SecurityEvent.id, old, cap=cap, dry_run=dry_run)
