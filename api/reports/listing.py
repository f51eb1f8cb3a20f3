"""Lists of reports: filters, a page at a time (offset, read from the nearer end), or every
matching report batch by batch (keyset, for exports). Always within what the reader may read:
every function takes the `readable` condition of api/reports/access.py."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session, selectinload

from api.claims.models import Claim
from api.core.text import fold
from api.reports.models import Report, format_reference
from api.reports.workflow import OPEN_STATUSES, ReportStatus

SortKey = Literal["-created_at", "created_at", "-care_date", "care_date"]


@dataclass(frozen=True)
class ReportFilters:
    """What a reader narrows a list to, within what they may read (api/reports/access.py)."""

    policyholder_id: int | None = None
    status: ReportStatus | None = None
    anomaly_type: str | None = None
    claim_id: int | None = None
    assigned_to_id: int | None = None
    provider: str | None = None
    text: str | None = None
    created_from: date | None = None
    created_to: date | None = None
    care_date_from: date | None = None
    care_date_to: date | None = None
    # Only reports nobody is assigned to.
    unassigned: bool = False
    # Reports on a claim billed by this provider (the provider as registered, not as typed).
    provider_id: int | None = None
    # Received at or after / strictly before these instants (timezone-aware; use the index).
    received_from: datetime | None = None
    received_before: datetime | None = None


def _conditions(readable: ColumnElement[bool], filters: ReportFilters) -> list[ColumnElement[bool]]:
    """`readable`, then one condition per filter given."""
    created_day = func.date(Report.created_at)
    equal_to = {
        Report.policyholder_id: filters.policyholder_id,
        Report.status: filters.status,
        Report.anomaly_type: filters.anomaly_type,
        Report.claim_id: filters.claim_id,
        Report.assigned_to_id: filters.assigned_to_id,
    }
    at_least = {
        created_day: filters.created_from,
        Report.created_at: filters.received_from,
        Report.care_date: filters.care_date_from,
    }
    at_most = {created_day: filters.created_to, Report.care_date: filters.care_date_to}
    conditions = [
        readable,
        *(column == value for column, value in equal_to.items() if value is not None),
        *(column >= value for column, value in at_least.items() if value is not None),
        *(column <= value for column, value in at_most.items() if value is not None),
    ]
    if filters.received_before is not None:
        conditions.append(Report.created_at < filters.received_before)
    if filters.unassigned:
        conditions.append(Report.assigned_to_id.is_(None))
    if filters.text:
        conditions.append(Report.description.icontains(filters.text, autoescape=True))
    if filters.provider_id is not None:
        conditions.append(_billed_by(filters.provider_id))
    if filters.provider and (needle := fold(filters.provider)):
        conditions.append(Report.provider_search.contains(needle, autoescape=True))
    return conditions


def _billed_by(provider_id: int) -> ColumnElement[bool]:
    """Reports on a claim this provider billed (an erased report keeps the provider, not the
    claim: api/retention/reports.py)."""
    billed = select(Claim.id).where(Claim.provider_id == provider_id)
    return or_(Report.claim_id.in_(billed), Report.purged_provider_id == provider_id)


def _sort_column(sort: SortKey) -> InstrumentedAttribute[Any]:
    return Report.created_at if sort.endswith("created_at") else Report.care_date


def _order_by(sort: SortKey) -> tuple[ColumnElement[Any], ColumnElement[Any]]:
    column = _sort_column(sort)
    if sort.startswith("-"):
        return column.desc(), Report.id.desc()
    return column.asc(), Report.id.asc()


def _reversed(sort: SortKey) -> SortKey:
    flipped: dict[SortKey, SortKey] = {
        "-created_at": "created_at",
        "created_at": "-created_at",
        "-care_date": "care_date",
        "care_date": "-care_date",
    }
    return flipped[sort]


def find_reports(
    *,
    session: Session,
    readable: ColumnElement[bool],
    filters: ReportFilters,
    sort: SortKey,
    limit: int,
    offset: int,
    total: int | None = None,
    with_claims: bool = False,
) -> list[Report]:
    """One page of reports. The ids come first (from an index when one fits), then the rows:
    deep pages skip index entries instead of whole rows with their transcripts. Given the
    `total`, a page in the second half is read from the other end (the last page is as cheap
    as the first). `with_claims`: each report's claim (and its provider) in one more query."""
    if total is not None and offset > total // 2:
        limit = min(limit, total - offset)
        if limit <= 0:
            return []
        offset, sort, backwards = total - offset - limit, _reversed(sort), True
    else:
        backwards = False
    ids_stmt = (
        select(Report.id)
        .where(*_conditions(readable, filters))
        .order_by(*_order_by(sort))
        .limit(limit)
        .offset(offset)
    )
    ids = list(session.scalars(ids_stmt))
    if backwards:
        ids.reverse()
    if not ids:
        return []
    rows_stmt = select(Report).where(Report.id.in_(ids))
    if with_claims:
        rows_stmt = rows_stmt.options(selectinload(Report.claim))
    rows = {r.id: r for r in session.scalars(rows_stmt)}
    return [rows[report_id] for report_id in ids if report_id in rows]


def count_reports(
    *, session: Session, readable: ColumnElement[bool], filters: ReportFilters
) -> int:
    matching = select(func.count()).select_from(Report).where(*_conditions(readable, filters))
    return session.scalar(matching) or 0


def list_reports(
    *,
    session: Session,
    readable: ColumnElement[bool],
    filters: ReportFilters,
    sort: SortKey,
    limit: int,
    offset: int,
    with_claims: bool = False,
) -> tuple[list[Report], int]:
    page = find_reports(
        session=session,
        readable=readable,
        filters=filters,
        sort=sort,
        limit=limit,
        offset=offset,
        with_claims=with_claims,
    )
    return page, count_reports(session=session, readable=readable, filters=filters)


@dataclass(frozen=True)
class ClaimReport:
    """A report as a list of claims mentions it: « Signalé le … (référence …) »."""

    claim_id: int
    reference: str
    filed_at: datetime
    status: ReportStatus

    @property
    def is_open(self) -> bool:
        """Still handled: the filing rule refuses another report on this claim meanwhile."""
        return self.status in OPEN_STATUSES


def reports_on_claims(
    *, session: Session, readable: ColumnElement[bool], claim_ids: list[int]
) -> dict[int, list[ClaimReport]]:
    """The reports `readable` keeps on each of these claims, newest first: one query for a
    whole page of claims, reading a few columns (never the transcripts)."""
    found: dict[int, list[ClaimReport]] = {}
    if not claim_ids:
        return found
    stmt = (
        select(Report.id, Report.claim_id, Report.created_at, Report.status)
        .where(readable, Report.claim_id.in_(claim_ids))
        .order_by(Report.created_at.desc(), Report.id.desc())
    )
    for row in session.execute(stmt):
        reference = format_reference(row.created_at.year, row.id)
        report = ClaimReport(row.claim_id, reference, row.created_at, row.status)
        found.setdefault(row.claim_id, []).append(report)
    return found


def open_report(reports: list[ClaimReport]) -> ClaimReport | None:
    """The newest open report among a claim's reports, if any."""
    return next((report for report in reports if report.is_open), None)


def iter_reports(
    *,
    session: Session,
    readable: ColumnElement[bool],
    filters: ReportFilters,
    sort: SortKey,
    batch_size: int = 500,
) -> Iterator[list[Report]]:
    """Every matching report, batch by batch (keyset pagination: constant cost per batch),
    with its claim loaded. For exports: the caller may expunge each batch once written."""
    column = _sort_column(sort)
    descending = sort.startswith("-")
    after: ColumnElement[bool] | None = None
    while True:
        stmt = (
            select(Report)
            .where(*_conditions(readable, filters))
            .options(selectinload(Report.claim))
            .order_by(*_order_by(sort))
            .limit(batch_size)
        )
        if after is not None:
            stmt = stmt.where(after)
        batch = list(session.scalars(stmt))
        if not batch:
            return
        last = batch[-1]
        value, last_id = getattr(last, column.key), last.id
        if descending:
            after = or_(column < value, and_(column == value, Report.id < last_id))
        else:
            after = or_(column > value, and_(column == value, Report.id > last_id))
        yield batch
        if len(batch) < batch_size:
            return
