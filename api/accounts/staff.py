"""The staff the pages name: who can be assigned a report, who did what."""

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.accounts.models import StaffRole, StaffUser

REVIEWER_ROLES = (StaffRole.AGENT, StaffRole.ADMIN)


def assignable(*, session: Session) -> list[StaffUser]:
    """Active agents and admins, by name."""
    stmt = select(StaffUser).where(
        StaffUser.is_active.is_(True), StaffUser.role.in_(REVIEWER_ROLES)
    )
    return list(session.scalars(stmt.order_by(StaffUser.full_name, StaffUser.id)))


def names(*, session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    stmt = select(StaffUser.id, StaffUser.full_name).where(StaffUser.id.in_(wanted))
    return dict(session.execute(stmt).all())
