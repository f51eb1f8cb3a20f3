"""Accounts: who a username names, password checks, and the identity behind a cookie or token."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.accounts.auth_sessions import AccountRef
from api.accounts.models import AccountKind, Policyholder, Role, StaffUser
from api.core.security import dummy_hash, verify_password


@dataclass(frozen=True)
class Principal:
    """The authenticated caller: a policyholder (id = policyholder id) or a staff user."""

    id: int
    role: Role
    display_name: str
    # True when the action server calls on the policyholder's behalf (an `assistant` token):
    # only the routes the assistant needs accept it, and only it may attach a transcript.
    via_assistant: bool = False
    # The sign-in session the cookie or the token names (None outside a request).
    session_id: str | None = None
    session_expires_at: datetime | None = None

    @property
    def is_policyholder(self) -> bool:
        return self.role is Role.POLICYHOLDER

    @property
    def account(self) -> AccountRef:
        return AccountRef.for_role(self.role, self.id)


@dataclass(frozen=True)
class Candidate:
    """The account a username names, as far as signing in goes."""

    account: AccountRef
    # None: this account cannot sign in (no password, deactivated, demo outside demo mode).
    password_hash: str | None
    principal: Principal


def find_account(*, session: Session, username: str, demo: bool) -> Candidate | None:
    """The account a username names, even one that may not sign in (for the throttle's
    records); its password hash only when it may."""
    holder = session.scalars(select(Policyholder).where(Policyholder.username == username)).first()
    if holder is not None and holder.password_hash:
        usable = demo or not holder.is_demo
        principal = Principal(holder.id, Role.POLICYHOLDER, holder.display_name)
        account = AccountRef(AccountKind.POLICYHOLDER, holder.id)
        return Candidate(account, holder.password_hash if usable else None, principal)
    staff = session.scalars(select(StaffUser).where(StaffUser.username == username)).first()
    if staff is not None:
        usable = staff.is_active and (demo or not staff.is_demo)
        principal = Principal(staff.id, Role(staff.role), staff.full_name)
        account = AccountRef(AccountKind.STAFF, staff.id)
        return Candidate(account, staff.password_hash if usable else None, principal)
    if holder is not None:
        return Candidate(
            AccountRef(AccountKind.POLICYHOLDER, holder.id),
            None,
            Principal(holder.id, Role.POLICYHOLDER, holder.display_name),
        )
    return None


def check_password(candidate: Candidate | None, password: str) -> Principal | None:
    """The candidate's identity if the password is right; the same time spent either way."""
    if candidate is None or candidate.password_hash is None:
        verify_password(password, dummy_hash())
        return None
    return candidate.principal if verify_password(password, candidate.password_hash) else None


def authenticate(*, session: Session, username: str, password: str, demo: bool) -> Principal | None:
    """Check a username and password in constant time whether or not the account exists."""
    return check_password(find_account(session=session, username=username, demo=demo), password)


def load_principal(*, session: Session, subject: int, role: str, demo: bool) -> Principal | None:
    """The account a valid token names, if it still exists and may still sign in."""
    if role == Role.POLICYHOLDER:
        holder = session.get(Policyholder, subject)
        if holder is None or (holder.is_demo and not demo):
            return None
        return Principal(holder.id, Role.POLICYHOLDER, holder.display_name)
    staff = session.get(StaffUser, subject)
    if staff is None or not staff.is_active or staff.role != role or (staff.is_demo and not demo):
        return None
    return Principal(staff.id, Role(staff.role), staff.full_name)


def account_row(*, session: Session, account: AccountRef) -> Policyholder | StaffUser | None:
    if account.kind is AccountKind.POLICYHOLDER:
        return session.get(Policyholder, account.id)
    return session.get(StaffUser, account.id)
