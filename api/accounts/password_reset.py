"""A forgotten password: ask for a reset link, check it, choose a new password with it.

Only policyholders have an email address on file, so only they can get a link (staff
passwords are reset by an administrator). Asking answers the same whether an account matched
or not; the caller sends the letters returned, after the answer. The link's token is signed
for the current password hash (`reset_tokens`): nothing is stored, and it works once.
"""

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from api.accounts import audit, auth_sessions, reset_tokens
from api.accounts.auth_sessions import AccountRef
from api.accounts.models import (
    AccountKind,
    EndReason,
    Policyholder,
    SecurityEventKind,
    ThrottleScope,
)
from api.accounts.signin import Guard, check_new_password, wait_text
from api.accounts.throttle import Subject, account_subject
from api.core.errors import DomainError
from api.core.security import hash_password, keyed_hash, verify_password
from api.core.text import fold

IDENTIFIER_MAX = 254  # an email address at most
# Policyholders sharing one address each get their own link, up to this many.
MAX_LETTERS = 3
EXPIRED = (
    "Ce lien a expiré\u00a0: il n'est valable qu'une heure. Demandez-en un nouveau, il vous "
    "sera envoyé à l'adresse électronique de votre compte."
)
INVALID = (
    "Ce lien n'est pas valable\u00a0: il a déjà servi, un mot de passe plus récent l'a "
    "remplacé, ou il a été mal recopié. Demandez-en un nouveau."
)


class ResetLinkRefused(DomainError):
    status_code = 400
    code = "reset_link_refused"
    title = "Lien de réinitialisation non valable"


class TooManyResetRequests(DomainError):
    status_code = 429
    code = "too_many_reset_requests"
    title = "Trop de demandes"


@dataclass(frozen=True)
class ResetLetter:
    """What the email needs: never stored, never logged (the token opens the account)."""

    to_address: str
    name: str
    username: str
    token: str
    expires_at: int

    def __repr__(self) -> str:  # never the token or the address
        return f"ResetLetter(expires_at={self.expires_at})"


def _subjects(identifier: str, address: str, secret: str) -> list[Subject]:
    """Counters of their own, apart from the sign-in's: by what was typed, and by address."""
    typed = keyed_hash(fold(identifier), secret=secret, purpose="reset-account")
    by_address = keyed_hash(address.strip().lower(), secret=secret, purpose="reset-address")
    return [Subject(ThrottleScope.ACCOUNT, typed), Subject(ThrottleScope.ADDRESS, by_address)]


def _count(guard: Guard, identifier: str, address: str) -> None:
    """Every request counts (whether or not an account matches); refused once locked."""
    now = guard.clock()
    for subject in _subjects(identifier, address, guard.secret):
        counted = guard.throttle.count(subject, account=None, now=now)
        if not counted.allowed:
            retry = counted.retry_after(now)
            raise TooManyResetRequests(
                "Trop de demandes de nouveau mot de passe. Par sécurité, réessayez dans "
                f"{wait_text(retry)}.",
                headers={"Retry-After": str(retry)},
            )


def _holders(session: Session, identifier: str, demo: bool) -> list[Policyholder]:
    """The accounts the identifier or email address names that could sign in."""
    wanted = identifier.lower()
    rows = session.scalars(
        select(Policyholder)
        .where(or_(Policyholder.username == identifier, func.lower(Policyholder.email) == wanted))
        .order_by(Policyholder.id)
        .limit(MAX_LETTERS)
    )
    return [
        holder
        for holder in rows
        if holder.username
        and holder.password_hash
        and holder.email
        and (demo or not holder.is_demo)
    ]


def request_reset(
    *, session: Session, guard: Guard, identifier: str, address: str, demo: bool, now: float
) -> list[ResetLetter]:
    """The letters to send (often none); TooManyResetRequests past the throttle's limit."""
    identifier = identifier.strip()[:IDENTIFIER_MAX]
    _count(guard, identifier, address)
    letters = []
    for holder in _holders(session, identifier, demo):
        assert holder.username and holder.password_hash  # filtered above
        token, expires_at = reset_tokens.mint(
            account_id=holder.id, password_hash=holder.password_hash, secret=guard.secret, now=now
        )
        letters.append(
            ResetLetter(holder.email, holder.display_name, holder.username, token, expires_at)
        )
    return letters


def check_link(
    *, session: Session, token: str, secret: str, demo: bool, now: float
) -> Policyholder:
    """The account a valid, unexpired, unused link is for; ResetLinkRefused otherwise."""
    parsed = reset_tokens.parse(token)
    holder = session.get(Policyholder, parsed.account_id) if parsed else None
    if (
        parsed is None
        or holder is None
        or not holder.password_hash
        or not holder.username
        or (holder.is_demo and not demo)
        or not reset_tokens.signed_for(parsed, password_hash=holder.password_hash, secret=secret)
    ):
        raise ResetLinkRefused(INVALID)
    if parsed.expires_at <= now:
        raise ResetLinkRefused(EXPIRED)
    return holder


def reset_password(
    *, session: Session, guard: Guard, token: str, new_password: str, demo: bool, now: float
) -> int:
    """Set the new password (the rules of a change), end every session of the account, clear
    its sign-in counter; how many sessions ended. The link stops working at once."""
    holder = check_link(session=session, token=token, secret=guard.secret, demo=demo, now=now)
    username, old_hash = holder.username or "", holder.password_hash or ""
    check_new_password(new_password, username=username, current="")
    if verify_password(new_password, old_hash):
        check_new_password(new_password, username=username, current=new_password)
    holder.password_hash = hash_password(new_password)
    account = AccountRef(AccountKind.POLICYHOLDER, holder.id)
    ended = auth_sessions.end_account_sessions(
        session=session, account=account, reason=EndReason.PASSWORD_CHANGED, now=now
    )
    audit.record(
        session=session,
        kind=SecurityEventKind.PASSWORD_CHANGED,
        account=account,
        sessions_ended=ended,
    )
    guard.throttle.clear(account_subject(username, secret=guard.secret), now=guard.clock())
    session.flush()
    return ended
