"""Sign-in sessions kept server side: what a cookie or a token names, and what ends it.

The cookie and the access tokens carry a random session id; the table holds its SHA-256
only. The assistant's side never sees that id: chat and assistant tokens carry the session's
*conversation id*, a one-way function of it, which can open no cookie and no access token. A
request checks its session with one indexed read and writes nothing.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from api.accounts.models import AccountKind, AuthSession, EndReason, Role, SessionOrigin
from api.core.db import delete_at_most

ID_BYTES = 32


@dataclass(frozen=True)
class AccountRef:
    """An account, whichever table it lives in."""

    kind: AccountKind
    id: int

    @classmethod
    def for_role(cls, role: str, account_id: int) -> "AccountRef":
        kind = AccountKind.POLICYHOLDER if role == Role.POLICYHOLDER else AccountKind.STAFF
        return cls(kind, account_id)


@dataclass(frozen=True)
class OpenedSession:
    id: str  # the raw id: for the cookie or the token, never stored
    expires_at: datetime


def _stored_id(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def conversation_id(session_id: str) -> str:
    """The session's id for the assistant's side (chat and assistant tokens' `sid`)."""
    return hashlib.sha256(f"vigilance-conversation:{session_id}".encode()).hexdigest()


def as_datetime(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC)


def open_session(
    *, session: Session, account: AccountRef, origin: SessionOrigin, now: float, seconds: int
) -> OpenedSession:
    session_id = secrets.token_urlsafe(ID_BYTES)
    created = as_datetime(now)
    expires = created + timedelta(seconds=seconds)
    session.add(
        AuthSession(
            id=_stored_id(session_id),
            conversation_key=_stored_id(conversation_id(session_id)),
            account_kind=account.kind,
            account_id=account.id,
            origin=origin,
            created_at=created,
            expires_at=expires,
        )
    )
    session.flush()
    return OpenedSession(session_id, expires)


def open_record(
    *, session: Session, session_id: str, account: AccountRef, now: float
) -> AuthSession | None:
    """The session if it is still open and belongs to `account` (one primary-key read)."""
    return _if_open(session.get(AuthSession, _stored_id(session_id)), account, now)


def open_record_for_conversation(
    *, session: Session, conversation: str, account: AccountRef, now: float
) -> AuthSession | None:
    """The session a conversation id names, if open and `account`'s (one unique-index read)."""
    stmt = select(AuthSession).where(AuthSession.conversation_key == _stored_id(conversation))
    return _if_open(session.scalars(stmt).first(), account, now)


def _if_open(record: AuthSession | None, account: AccountRef, now: float) -> AuthSession | None:
    if (
        record is None
        or record.ended_at is not None
        or record.expires_at <= as_datetime(now)
        or record.account_kind != account.kind
        or record.account_id != account.id
    ):
        return None
    return record


def end_session(*, session: Session, session_id: str, reason: EndReason, now: float) -> bool:
    """End one session (signing out); False when it was already ended or never existed."""
    result = session.execute(
        update(AuthSession)
        .where(AuthSession.id == _stored_id(session_id), AuthSession.ended_at.is_(None))
        .values(ended_at=as_datetime(now), end_reason=reason)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def end_account_sessions(
    *,
    session: Session,
    account: AccountRef,
    reason: EndReason,
    now: float,
    keep: str | None = None,
) -> int:
    """End every open session of an account, except `keep` (the one changing its password)."""
    stmt = (
        update(AuthSession)
        .where(
            AuthSession.account_kind == account.kind,
            AuthSession.account_id == account.id,
            AuthSession.ended_at.is_(None),
            AuthSession.expires_at > as_datetime(now),
        )
        .values(ended_at=as_datetime(now), end_reason=reason)
        .execution_options(synchronize_session=False)
    )
    if keep is not None:
        stmt = stmt.where(AuthSession.id != _stored_id(keep))
    return int(session.execute(stmt).rowcount)  # type: ignore[attr-defined]


def purge_sessions(
    *, session: Session, before: datetime, cap: int = 100_000, dry_run: bool = False
) -> int:
    """Delete the sessions ended or expired before `before`, at most `cap` (for the retention
    worker; a dry run counts them)."""
    over = or_(AuthSession.expires_at < before, AuthSession.ended_at < before)
    return delete_at_most(session, AuthSession.id, over, cap=cap, dry_run=dry_run)
