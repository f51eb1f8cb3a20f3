"""What an agent weighs next to a report: the same claim's other reports, the provider's
other reports, and the duplicate links."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from api.claims.models import Claim
from api.reports.models import Report
from api.reports.workflow import ReportStatus, can_move

SAME_CLAIM = "Même paiement"
SAME_PROVIDER = "Même professionnel"


@dataclass(frozen=True)
class RelatedRow:
    """One related report, and the one duplicate link it offers: the newer of the pair marked
    as the duplicate of the older, which stays the original (None when no link can be made)."""

    report: Report
    duplicate: Report | None
    original: Report | None


def _filed(report: Report) -> tuple[datetime, int]:
    return report.created_at, report.id


def duplicate_pair(report: Report, other: Report) -> tuple[Report, Report] | None:
    """(duplicate, original) for two reports about the same facts: the oldest stays the
    original. None when they are linked already or a link would be refused (a chain, or a
    status that cannot become « duplicate »)."""
    newer, older = (report, other) if _filed(report) > _filed(other) else (other, report)
    if newer.duplicate_of_id is not None or older.duplicate_of_id is not None:
        return None
    if not can_move(newer.status, ReportStatus.DUPLICATE):
        return None
    return newer, older


@dataclass(frozen=True)
class RelatedReports:
    """What an agent weighs next to a report: likely duplicates and the provider's other reports."""

    same_claim: list[Report]
    same_provider: list[Report]
    same_provider_total: int
    duplicate_of: Report | None
    duplicates: list[Report]

    def groups(self, report: Report) -> list[tuple[str, list[RelatedRow]]]:
        """The related table's groups (« Même paiement », « Même professionnel »), each row
        with its one action."""
        found = [(SAME_CLAIM, self.same_claim), (SAME_PROVIDER, self.same_provider)]
        return [
            (title, [_row(report, other) for other in others]) for title, others in found if others
        ]


def _row(report: Report, other: Report) -> RelatedRow:
    pair = duplicate_pair(report, other)
    return RelatedRow(other, *pair) if pair else RelatedRow(other, None, None)


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
