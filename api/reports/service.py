"""Reports: reading them, and the agents' decisions (filing is in `filing.py`)."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session, selectinload

from api.accounts.models import StaffRole, StaffUser
from api.claims.models import Claim
from api.core.db import utcnow
from api.core.errors import Conflict, InvalidInput, NotFound
from api.core.text import fold
from api.reports.models import Report, ReportEvent, parse_reference
from api.reports.schemas import ReportUpdate
from api.reports.workflow import STATUS_LABELS, EventKind, ReportStatus, can_move

SortKey = Literal["-created_at", "created_at", "-care_date", "care_date"]


def get_report(*, session: Session, reference: str, policyholder_id: int | None) -> Report:
    """A report by reference, if the caller may see it (another's is not found for them)."""
    parsed = parse_reference(reference)
    report = session.get(Report, parsed[1]) if parsed else None
    if (
        report is None
        or parsed is None
        or report.created_at.year != parsed[0]
        or (policyholder_id is not None and report.policyholder_id != policyholder_id)
    ):
        raise NotFound("Ce signalement est introuvable.")
    return report


@dataclass(frozen=True)
class ReportFilters:
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


def _conditions(filters: ReportFilters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    equalities = {
        Report.policyholder_id: filters.policyholder_id,
        Report.status: filters.status,
        Report.anomaly_type: filters.anomaly_type,
        Report.claim_id: filters.claim_id,
        Report.assigned_to_id: filters.assigned_to_id,
    }
    for column, value in equalities.items():
        if value is not None:
            conditions.append(column == value)
    if filters.unassigned:
        conditions.append(Report.assigned_to_id.is_(None))
    if filters.provider_id is not None:
        billed_by = select(Claim.id).where(Claim.provider_id == filters.provider_id)
        # An erased report keeps the provider, not the claim (api/retention/reports.py).
        erased = Report.purged_provider_id == filters.provider_id
        conditions.append(or_(Report.claim_id.in_(billed_by), erased))
    if filters.provider and (needle := fold(filters.provider)):
        conditions.append(Report.provider_search.contains(needle, autoescape=True))
    if filters.text:
        conditions.append(Report.description.icontains(filters.text, autoescape=True))
    if filters.created_from:
        conditions.append(func.date(Report.created_at) >= filters.created_from)
    if filters.created_to:
        conditions.append(func.date(Report.created_at) <= filters.created_to)
    if filters.received_from:
        conditions.append(Report.created_at >= filters.received_from)
    if filters.received_before:
        conditions.append(Report.created_at < filters.received_before)
    if filters.care_date_from:
        conditions.append(Report.care_date >= filters.care_date_from)
    if filters.care_date_to:
        conditions.append(Report.care_date <= filters.care_date_to)
    return conditions


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
    filters: ReportFilters,
    sort: SortKey,
    limit: int,
    offset: int,
    total: int | None = None,
) -> list[Report]:
    """One page of reports. The ids come first (from an index when one fits), then the rows:
    deep pages skip index entries instead of whole rows with their transcripts. Given the
    `total`, a page in the second half is read from the other end (the last page is as cheap
    as the first)."""
    if total is not None and offset > total // 2:
        limit = min(limit, total - offset)
        if limit <= 0:
            return []
        offset, sort, backwards = total - offset - limit, _reversed(sort), True
    else:
        backwards = False
    ids_stmt = (
        select(Report.id)
        .where(*_conditions(filters))
        .order_by(*_order_by(sort))
        .limit(limit)
        .offset(offset)
    )
    ids = list(session.scalars(ids_stmt))
    if backwards:
        ids.reverse()
    if not ids:
        return []
    rows = {r.id: r for r in session.scalars(select(Report).where(Report.id.in_(ids)))}
    return [rows[report_id] for report_id in ids if report_id in rows]


def count_reports(*, session: Session, filters: ReportFilters) -> int:
    matching = select(func.count()).select_from(Report).where(*_conditions(filters))
    return session.scalar(matching) or 0


def list_reports(
    *, session: Session, filters: ReportFilters, sort: SortKey, limit: int, offset: int
) -> tuple[list[Report], int]:
    page = find_reports(session=session, filters=filters, sort=sort, limit=limit, offset=offset)
    return page, count_reports(session=session, filters=filters)


def iter_reports(
    *, session: Session, filters: ReportFilters, sort: SortKey, batch_size: int = 500
) -> Iterator[list[Report]]:
    """Every matching report, batch by batch (keyset pagination: constant cost per batch),
    with its claim loaded. For exports: the caller may expunge each batch once written."""
    column = _sort_column(sort)
    descending = sort.startswith("-")
    after: ColumnElement[bool] | None = None
    while True:
        stmt = (
            select(Report)
            .where(*_conditions(filters))
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


def _status_change(report: Report, target: ReportStatus) -> ReportEvent:
    """Move a report through the workflow (checked first: on refusal nothing has changed)."""
    if target == report.status:
        raise Conflict(f"Le signalement est déjà au statut « {STATUS_LABELS[report.status]} ».")
    if not can_move(report.status, target):
        raise Conflict(
            f"Passage impossible du statut « {STATUS_LABELS[report.status]} » "
            f"au statut « {STATUS_LABELS[target]} »."
        )
    event = ReportEvent(kind=EventKind.STATUS_CHANGED, from_status=report.status, to_status=target)
    report.status = target
    return event


def _record(session: Session, report: Report, events: list[ReportEvent], actor_id: int) -> None:
    for event in events:
        event.actor_id = actor_id
        report.events.append(event)
    report.updated_at = utcnow()
    session.flush()


def _locked(session: Session, reference: str) -> Report:
    report = get_report(session=session, reference=reference, policyholder_id=None)
    # Lock the row (PostgreSQL) so two agents cannot both act on the same state.
    session.refresh(report, with_for_update=True)
    return report


def update_report(*, session: Session, reference: str, actor_id: int, data: ReportUpdate) -> Report:
    """Apply an agent's decision; each part of it becomes one event of the audit log."""
    report = _locked(session, reference)
    if data.assigned_to_id is not None:
        assignee = session.get(StaffUser, data.assigned_to_id)
        if (
            assignee is None
            or not assignee.is_active
            or assignee.role not in (StaffRole.AGENT, StaffRole.ADMIN)
        ):
            raise InvalidInput(
                "Ce signalement ne peut être affecté qu'à un agent actif.",
                field="assigned_to_id",
            )
    events: list[ReportEvent] = []
    if data.status is not None:
        events.append(_status_change(report, data.status))
    if (data.assigned_to_id is not None or data.unassign) and (
        data.assigned_to_id != report.assigned_to_id
    ):
        report.assigned_to_id = data.assigned_to_id
        events.append(ReportEvent(kind=EventKind.ASSIGNED, assigned_to_id=data.assigned_to_id))
    if data.note is not None:
        events.append(ReportEvent(kind=EventKind.NOTE, note=data.note))
    _record(session, report, events, actor_id)
    return report


def link_duplicate(
    *,
    session: Session,
    reference: str,
    original_reference: str,
    actor_id: int,
    mark_duplicate: bool,
) -> Report:
    """Point a report to the earlier one about the same facts; with `mark_duplicate` (a merge)
    also move it to the « duplicate » status. The link is written in the audit log as a note."""
    report = _locked(session, reference)
    parsed = parse_reference(original_reference)
    original = session.get(Report, parsed[1]) if parsed else None
    if original is None or parsed is None or original.created_at.year != parsed[0]:
        raise InvalidInput(
            f"Le signalement « {original_reference.strip()[:40]} » est introuvable.",
            field="original",
        )
    if original.id == report.id:
        raise InvalidInput("Un signalement ne peut pas être le doublon de lui-même.")
    if original.duplicate_of_id is not None:
        # Links stay one level deep, so they can never form a loop.
        root = session.get(Report, original.duplicate_of_id)
        root_reference = root.reference if root else "un autre signalement"
        raise Conflict(
            f"Le signalement {original.reference} est lui-même rattaché à {root_reference} : "
            "rattachez plutôt celui-ci à ce dernier."
        )
    events: list[ReportEvent] = []
    if mark_duplicate and report.status != ReportStatus.DUPLICATE:
        events.append(_status_change(report, ReportStatus.DUPLICATE))
    if report.duplicate_of_id != original.id:
        report.duplicate_of_id = original.id
        note = f"Rattaché au signalement {original.reference} (mêmes faits signalés)."
        events.append(ReportEvent(kind=EventKind.NOTE, note=note))
    if not events:
        raise Conflict(f"Ce signalement est déjà rattaché à {original.reference}.")
    _record(session, report, events, actor_id)
    return report


def unlink_duplicate(*, session: Session, reference: str, actor_id: int) -> Report:
    """Remove the link to the original report (the status is changed separately, if needed)."""
    report = _locked(session, reference)
    if report.duplicate_of_id is None:
        raise Conflict("Ce signalement n'est rattaché à aucun autre.")
    original = session.get(Report, report.duplicate_of_id)
    report.duplicate_of_id = None
    label = original.reference if original else "l'autre signalement"
    note = f"Lien avec le signalement {label} retiré."
    _record(session, report, [ReportEvent(kind=EventKind.NOTE, note=note)], actor_id)
    return report
