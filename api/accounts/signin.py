"""Signing in (web page and API alike) and changing one's password, both behind the throttle.

The refusals are domain errors the callers render (a French page or JSON) *without* letting
them roll the transaction back: the counted failure and its audit line must be kept.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from api.accounts import audit, auth_sessions
from api.accounts.auth_sessions import OpenedSession
from api.accounts.models import EndReason, SecurityEventKind, SessionOrigin
from api.accounts.service import Candidate, Principal, account_row, check_password, find_account
from api.accounts.throttle import Counted, Subject, Throttle, account_subject, address_subject
from api.core.errors import DomainError, InvalidInput, NotAuthenticated
from api.core.security import hash_password

BAD_CREDENTIALS = "Identifiant ou mot de passe incorrect."
WRONG_CURRENT_PASSWORD = "Le mot de passe actuel est incorrect."  # noqa: S105 - a message
PASSWORD_MIN = 12
PASSWORD_MAX = 256
# Longer input is refused before any work (a sign-in form takes no more).
USERNAME_MAX = 64
PASSWORD_INPUT_MAX = 1024


class TooManyAttempts(DomainError):
    """Locked for now; the message says when to try again, never whether account or address."""

    status_code = 429
    code = "too_many_attempts"

    def __init__(self, *, retry_after: int, until: datetime) -> None:
        super().__init__(
            "Trop de tentatives de connexion. Par sécurité, réessayez dans "
            f"{wait_text(retry_after)} (à partir de {until:%H:%M})."
        )
        self.retry_after = retry_after
        self.headers = {"Retry-After": str(retry_after)}


def wait_text(seconds: int) -> str:
    """« 30 secondes », « 1 minute », « 15 minutes »."""
    if seconds < 60:
        return f"{seconds}\u00a0seconde{'s' if seconds > 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes}\u00a0minute{'s' if minutes > 1 else ''}"


@dataclass(frozen=True)
class Guard:
    """What a password check needs beyond the database: the throttle and how to name things."""

    throttle: Throttle
    secret: str  # keys the hashes of usernames and addresses
    timezone: str
    # The throttle's clock (time.time; tests move it to see locks end).
    clock: Callable[[], float]


@dataclass(frozen=True)
class SignedIn:
    principal: Principal
    session: OpenedSession


def _too_many(counted: list[Counted], *, now: float, timezone: str) -> TooManyAttempts:
    retry = max(c.retry_after(now) for c in counted)
    until = datetime.fromtimestamp(now + retry, ZoneInfo(timezone))
    return TooManyAttempts(retry_after=retry, until=until)


def _checked(
    *,
    session: Session,
    guard: Guard,
    username: str,
    candidate: Candidate | None,
    password: str,
    address: str,
) -> Principal:
    """The password check between the two counters; raises the refusal to render."""
    throttle, now = guard.throttle, guard.clock()
    by_address = address_subject(address, secret=guard.secret)
    by_account = account_subject(username, secret=guard.secret)
    account = candidate.account if candidate else None
    first = throttle.count(by_address, account=None, now=now)
    if not first.allowed:
        raise _too_many([first], now=now, timezone=guard.timezone)
    second = throttle.count(by_account, account=account, now=now)
    if not second.allowed:
        throttle.take_back(by_address, first)
        raise _too_many([second], now=now, timezone=guard.timezone)
    principal = check_password(candidate, password)
    if principal is not None:
        throttle.clear(by_account, now=now)
        throttle.take_back(by_address, first)
        return principal
    started = [(s, c) for s, c in ((by_address, first), (by_account, second)) if c.locked_until]
    for subject, counted in started:
        _record_lock(session, subject, counted, account, by_account, by_address)
    if started:
        raise _too_many([c for _s, c in started], now=now, timezone=guard.timezone)
    raise NotAuthenticated(BAD_CREDENTIALS)


def _record_lock(
    session: Session,
    subject: Subject,
    counted: Counted,
    account: auth_sessions.AccountRef | None,
    by_account: Subject,
    by_address: Subject,
) -> None:
    audit.record(
        session=session,
        kind=SecurityEventKind.SIGNIN_LOCKED,
        scope=subject.scope,
        account=account,
        username_hash=by_account.digest,
        address_hash=by_address.digest,
        failures=counted.failures,
        locked_until=counted.locked_until,
    )


def sign_in(
    *,
    session: Session,
    guard: Guard,
    username: str,
    password: str,
    address: str,
    demo: bool,
    origin: SessionOrigin,
    seconds: int,
    now: float,
    replaces: str | None = None,
) -> SignedIn:
    """Check the password behind the throttle, then open a session of `seconds`.

    Raises NotAuthenticated (wrong username or password: one answer for both) or
    TooManyAttempts; the caller renders them and keeps the transaction."""
    candidate = find_account(session=session, username=username, demo=demo)
    principal = _checked(
        session=session,
        guard=guard,
        username=username,
        candidate=candidate,
        password=password,
        address=address,
    )
    if replaces is not None:
        auth_sessions.end_session(
            session=session, session_id=replaces, reason=EndReason.SIGNED_OUT, now=now
        )
    opened = auth_sessions.open_session(
        session=session, account=principal.account, origin=origin, now=now, seconds=seconds
    )
    return SignedIn(principal, opened)


def check_new_password(new_password: str, *, username: str, current: str) -> None:
    """French reasons a new password is refused (raised as InvalidInput on `new_password`)."""
    if len(new_password) < PASSWORD_MIN:
        reason = f"Le nouveau mot de passe doit compter au moins {PASSWORD_MIN} caractères."
    elif len(new_password) > PASSWORD_MAX:
        reason = f"Le nouveau mot de passe doit compter au plus {PASSWORD_MAX} caractères."
    elif new_password == current:
        reason = "Le nouveau mot de passe doit être différent de l'actuel."
    elif username and username.casefold() in new_password.casefold():
        reason = "Le nouveau mot de passe ne doit pas contenir votre identifiant."
    elif len(set(new_password)) < 4:
        reason = "Le nouveau mot de passe est trop simple\u00a0: variez les caractères."
    else:
        return
    raise InvalidInput(reason, field="new_password")


def change_password(
    *,
    session: Session,
    guard: Guard,
    principal: Principal,
    current_password: str,
    new_password: str,
    address: str,
    now: float,
) -> int:
    """Replace the password and end every other session of the account; how many ended.

    The current password is checked behind the same throttle as signing in (a stolen session
    must not become a way to guess it)."""
    row = account_row(session=session, account=principal.account)
    username = (row.username if row else None) or ""
    if row is None or not row.password_hash or not username:
        raise InvalidInput("Ce compte n'a pas de mot de passe à changer.")
    check_new_password(new_password, username=username, current=current_password)
    candidate = Candidate(principal.account, row.password_hash, principal)
    try:
        _checked(
            session=session,
            guard=guard,
            username=username,
            candidate=candidate,
            password=current_password,
            address=address,
        )
    except NotAuthenticated:
        raise InvalidInput(WRONG_CURRENT_PASSWORD, field="current_password") from None
    row.password_hash = hash_password(new_password)
    ended = auth_sessions.end_account_sessions(
        session=session,
        account=principal.account,
        reason=EndReason.PASSWORD_CHANGED,
        now=now,
        keep=principal.session_id,
    )
    audit.record(
        session=session,
        kind=SecurityEventKind.PASSWORD_CHANGED,
        account=principal.account,
        sessions_ended=ended,
    )
    return ended
