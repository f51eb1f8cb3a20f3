"""Accounts: sign-in and the identity behind a token."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.accounts.models import Policyholder, Role, StaffUser
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

    @property
    def is_policyholder(self) -> bool:
        return self.role is Role.POLICYHOLDER


def authenticate(*, session: Session, username: str, password: str, demo: bool) -> Principal | None:
    """Check a username and password in constant time whether or not the account exists."""
    holder = session.scalars(select(Policyholder).where(Policyholder.username == username)).first()
    if holder is not None and holder.password_hash and (demo or not holder.is_demo):
        ok = verify_password(password, holder.password_hash)
        return Principal(holder.id, Role.POLICYHOLDER, holder.display_name) if ok else None
    staff = session.scalars(select(StaffUser).where(StaffUser.username == username)).first()
    if staff is not None and staff.is_active and (demo or not staff.is_demo):
        ok = verify_password(password, staff.password_hash)
        return Principal(staff.id, Role(staff.role), staff.full_name) if ok else None
    verify_password(password, dummy_hash())
    return None


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
