"""What an agent weighs next to a report: the same claim's other reports, the provider's
other reports, and the duplicate links."""

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from api.claims.models import Claim
from api.reports.models import Report


@dataclass(frozen=True)
class RelatedReports:
    """What an agent weighs next to a report: likely duplicates and the provider's other reports."""

    same_claim: list[Report]
    same_provider: list[Report]
    same_provider_total: int
    duplicate_of: Report | None
    duplicates: list[Report]


def related_reports(*, session: Session, report: Report, limit: int = 10) -> RelatedReports:
    newest_first = (Report.created_at.desc(), Report.id.desc())
    same_claim: list[Report] = []
    if report.claim_id is not None:
        stmt = select(Report).where(Report.claim_id == report.claim_id, Report.id != report.id)
        same_claim = list(session.scalars(stmt.order_by(*newest_first).limit(limit)))
    provider_condition: ColumnElement[bool]
    # An erased report keeps the provider as registered, not the claim nor the typed name.
    provider_id = report.claim.provider_id if report.claim else report.purged_provider_id
    if provider_id is not None:
        billed_by = select(Claim.id).where(Claim.provider_id == provider_id)
        if report.claim_id is not None:  # that claim's reports are listed apart
            billed_by = billed_by.where(Claim.id != report.claim_id)
        provider_condition = and_(
            or_(Report.claim_id.in_(billed_by), Report.purged_provider_id == provider_id),
            Report.id != report.id,
        )
    else:
        provider_condition = and_(
            Report.provider_search == report.provider_search,
            Report.provider_search != "",
            Report.id != report.id,
        )
    same_provider = list(
        session.scalars(
            select(Report).where(provider_condition).order_by(*newest_first).limit(limit)
        )
    )
    same_provider_total = (
        session.scalar(select(func.count()).select_from(Report).where(provider_condition)) or 0
    )
    duplicate_of = (
        session.get(Report, report.duplicate_of_id) if report.duplicate_of_id is not None else None
    )
    # Ids first: with almost every duplicate_of_id NULL, SQLite's statistics make the index look
    # useless for whole rows, and it would scan the table.
    linked = list(session.scalars(select(Report.id).where(Report.duplicate_of_id == report.id)))
    rows: list[Report] = (
        list(session.scalars(select(Report).where(Report.id.in_(linked)))) if linked else []
    )
    duplicates = sorted(rows, key=lambda r: (r.created_at, r.id), reverse=True)
    return RelatedReports(same_claim, same_provider, same_provider_total, duplicate_of, duplicates)
