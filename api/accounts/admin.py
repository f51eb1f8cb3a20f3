"""What an administrator does about sign-in security: see and lift locks, end sessions,
deactivate a staff account. Each act is one line of the security audit."""

from dataclasses import dataclass

from sqlalchemy.orm import Session

from api.accounts import audit, auth_sessions
from api.accounts.auth_sessions import AccountRef
from api.accounts.models import (
    AccountKind,
    EndReason,
    SecurityEventKind,
    StaffUser,
    ThrottleScope,
)
from api.accounts.service import Principal, account_row
from api.accounts.throttle import Lock, Subject, Throttle, account_subject, address_subject
from api.core.errors import Conflict, InvalidInput, NotFound


@dataclass(frozen=True)
class LockView:
    lock: Lock
    label: str | None  # the account's username, when the counter names an existing account


def current_locks(*, session: Session, throttle: Throttle, now: float) -> list[LockView]:
    views = []
    for lock in throttle.locks(now=now):
        row = account_row(session=session, account=lock.account) if lock.account else None
        views.append(LockView(lock, row.username if row else None))
    return views


def subject_for(
    *, secret: str, key: str | None, username: str | None, address: str | None
) -> Subject:
    """The counter an admin names: by the key the list shows, a username or an address."""
    given = [value for value in (key, username, address) if value]
    if len(given) != 1:
        raise InvalidInput("Indiquez soit un verrou, soit un identifiant, soit une adresse.")
    if key:
        subject = Subject.from_key(key)
        if subject is None:
            raise InvalidInput("Ce verrou n'existe pas.", field="key")
        return subject
    if username:
        return account_subject(username.strip(), secret=secret)
    assert address is not None
    return address_subject(address, secret=secret)


@dataclass(frozen=True)
class LockName:
    """How an admin names a lock: by the key the list shows, a username or an address (one)."""

    key: str | None = None
    username: str | None = None
    address: str | None = None


def unlock(
    *,
    session: Session,
    throttle: Throttle,
    secret: str,
    admin: Principal,
    named: LockName,
    now: float,
) -> bool:
    """Lift the lock an admin names (and forget its failures); False when nothing was locked."""
    subject = subject_for(
        secret=secret, key=named.key, username=named.username, address=named.address
    )
    lock = throttle.clear(subject, now=now)
    if lock is None:
        return False
    audit.record(
        session=session,
        kind=SecurityEventKind.SIGNIN_UNLOCKED,
        scope=subject.scope,
        account=lock.account,
        username_hash=subject.digest if subject.scope is ThrottleScope.ACCOUNT else None,
        address_hash=subject.digest if subject.scope is ThrottleScope.ADDRESS else None,
        admin_id=admin.id,
        failures=lock.failures,
        locked_until=lock.locked_until,
    )
    return True


def end_sessions(*, session: Session, admin: Principal, account: AccountRef, now: float) -> int:
    """End every session of an account, at once and everywhere."""
    if account_row(session=session, account=account) is None:
        raise NotFound("Ce compte n'existe pas.")
    ended = auth_sessions.end_account_sessions(
        session=session, account=account, reason=EndReason.ADMIN, now=now
    )
    audit.record(
        session=session,
        kind=SecurityEventKind.SESSIONS_ENDED,
        account=account,
        admin_id=admin.id,
        sessions_ended=ended,
    )
    return ended


def deactivate_staff(*, session: Session, admin: Principal, staff_id: int, now: float) -> int:
    """A staff account that may no longer sign in, and whose sessions end now."""
    staff = session.get(StaffUser, staff_id)
    if staff is None:
        raise NotFound("Ce compte n'existe pas.")
    if staff.id == admin.id:
        raise Conflict("Vous ne pouvez pas désactiver votre propre compte.")
    staff.is_active = False
    account = AccountRef(AccountKind.STAFF, staff.id)
    ended = auth_sessions.end_account_sessions(
        session=session, account=account, reason=EndReason.DEACTIVATED, now=now
    )
    audit.record(
        session=session,
        kind=SecurityEventKind.STAFF_DEACTIVATED,
        account=account,
        admin_id=admin.id,
        sessions_ended=ended,
    )
    return ended
