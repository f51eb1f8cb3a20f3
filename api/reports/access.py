"""Which reports a person may read: the one answer every route, page and use case applies.

A policyholder reads their own reports (the assistant, acting for them, the same); agents and
administrators read every report; anyone else reads none. A report outside what someone may
read does not exist for them (not found, never forbidden: its existence is not disclosed).
"""

from sqlalchemy import ColumnElement, false, select, true
from sqlalchemy.orm import Session

from api.accounts.models import Role
from api.accounts.service import Principal
from api.core.errors import NotFound
from api.reports.models import Report, parse_reference

READ_ALL = (Role.AGENT, Role.ADMIN)
NOT_FOUND = "Ce signalement est introuvable."


def readable_reports(principal: Principal) -> ColumnElement[bool]:
    """The condition on `Report` that keeps what `principal` may read."""
    if principal.is_policyholder:
        return owned_reports(principal.id)
    return true() if principal.role in READ_ALL else false()


def owned_reports(policyholder_id: int) -> ColumnElement[bool]:
    """One policyholder's reports (what they may read, and what a use case acting for them uses)."""
    return Report.policyholder_id == policyholder_id


def find_by_reference(
    session: Session, reference: str, readable: ColumnElement[bool]
) -> Report | None:
    """The report a reference (« SIG-2026-000042 ») names, among those `readable` keeps."""
    parsed = parse_reference(reference)
    if parsed is None:
        return None
    year, report_id = parsed
    report = session.scalars(select(Report).where(Report.id == report_id, readable)).first()
    return report if report is not None and report.created_at.year == year else None


def get_report(*, session: Session, reference: str, readable: ColumnElement[bool]) -> Report:
    """A report by reference, if `readable` keeps it (another's is not found for them)."""
    report = find_by_reference(session, reference, readable)
    if report is None:
        raise NotFound(NOT_FOUND)
    return report
