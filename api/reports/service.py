"""Reports: filing (exactly once per idempotency key), reading, and the agents' decisions."""

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from typing import Literal

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.accounts.models import StaffRole, StaffUser
from api.claims.models import Claim
from api.core.db import utcnow
from api.core.errors import Conflict, InvalidInput, NotFound
from api.core.text import fold
from api.reports.models import Report, ReportEvent, parse_reference
from api.reports.schemas import ReportCreate, ReportUpdate
from api.reports.workflow import STATUS_LABELS, EventKind, ReportStatus, can_move

SortKey = Literal["-created_at", "created_at", "-care_date", "care_date"]


def fingerprint(data: ReportCreate) -> str:
    """What makes two filings the same report (the transcript may grow between retries)."""
    core = {
        "claim_id": data.claim_id,
        "care_date": data.care_date.isoformat(),
        "provider_name": data.provider_name,
        "description": data.description,
        "anomaly_type": data.anomaly_type.value,
    }
    return hashlib.sha256(json.dumps(core, sort_keys=True).encode()).hexdigest()


def _by_key(session: Session, policyholder_id: int, key: str) -> Report | None:
    stmt = select(Report).where(
        Report.policyholder_id == policyholder_id, Report.idempotency_key == key
    )
    return session.scalars(stmt).first()


def _replay(existing: Report, print_: str) -> Report:
    if existing.request_fingerprint != print_:
        raise Conflict(
            "Cette clé d'idempotence a déjà servi pour un autre signalement : "
            "utilisez une nouvelle clé pour un nouveau signalement."
        )
    return existing


def file_report(
    *,
    session: Session,
    policyholder_id: int,
    data: ReportCreate,
    idempotency_key: str | None,
    today: date,
    history_start: date,
) -> tuple[Report, bool]:
    """File a report; returns it and whether it is new (False: a retry of the same filing)."""
    if data.care_date > today:
        raise InvalidInput("La date des soins ne peut pas être dans le futur.", field="care_date")
    if data.care_date < history_start:
        raise InvalidInput(
            "Cette date est antérieure à l'historique de vos remboursements "
            f"(depuis le {history_start.strftime('%d/%m/%Y')}).",
            field="care_date",
        )
    print_ = fingerprint(data)
    if idempotency_key and (existing := _by_key(session, policyholder_id, idempotency_key)):
        return _replay(existing, print_), False
    if data.claim_id is not None:
        claim = session.get(Claim, data.claim_id)
        if claim is None or claim.policyholder_id != policyholder_id:
            raise InvalidInput(
                "Ce remboursement est introuvable parmi les vôtres.", field="claim_id"
            )

    report = Report(
        policyholder_id=policyholder_id,
        claim_id=data.claim_id,
        care_date=data.care_date,
        provider_name=data.provider_name,
        provider_search=fold(data.provider_name)[:200],
        description=data.description,
        anomaly_type=data.anomaly_type,
        status=ReportStatus.RECEIVED,
        channel=data.channel,
        transcript=[turn.model_dump(mode="json") for turn in data.transcript],
        idempotency_key=idempotency_key,
        request_fingerprint=print_,
    )
    try:
        with session.begin_nested():
            session.add(report)
            session.flush()
            session.add(
                ReportEvent(
                    report_id=report.id, kind=EventKind.CREATED, to_status=ReportStatus.RECEIVED
                )
            )
            session.flush()
    except IntegrityError:
        # A concurrent request with the same key committed first: answer with its report.
        existing = _by_key(session, policyholder_id, idempotency_key) if idempotency_key else None
        if existing is None:
            raise
        return _replay(existing, print_), False
    return report, True


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


def _filtered(filters: ReportFilters) -> Select[Report]:
    stmt = select(Report)
    equalities = {
        Report.policyholder_id: filters.policyholder_id,
        Report.status: filters.status,
        Report.anomaly_type: filters.anomaly_type,
        Report.claim_id: filters.claim_id,
        Report.assigned_to_id: filters.assigned_to_id,
    }
    for column, value in equalities.items():
        if value is not None:
            stmt = stmt.where(column == value)
    if filters.provider and (needle := fold(filters.provider)):
        stmt = stmt.where(Report.provider_search.contains(needle, autoescape=True))
    if filters.text:
        stmt = stmt.where(Report.description.icontains(filters.text, autoescape=True))
    if filters.created_from:
        stmt = stmt.where(func.date(Report.created_at) >= filters.created_from)
    if filters.created_to:
        stmt = stmt.where(func.date(Report.created_at) <= filters.created_to)
    if filters.care_date_from:
        stmt = stmt.where(Report.care_date >= filters.care_date_from)
    if filters.care_date_to:
        stmt = stmt.where(Report.care_date <= filters.care_date_to)
    return stmt


def list_reports(
    *, session: Session, filters: ReportFilters, sort: SortKey, limit: int, offset: int
) -> tuple[list[Report], int]:
    stmt = _filtered(filters)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    column = Report.created_at if sort.endswith("created_at") else Report.care_date
    order = (column.desc(), Report.id.desc()) if sort.startswith("-") else (column, Report.id)
    page = stmt.order_by(*order).limit(limit).offset(offset)
    return list(session.scalars(page)), total


def update_report(*, session: Session, reference: str, actor_id: int, data: ReportUpdate) -> Report:
    """Apply an agent's decision; each part of it becomes one event of the audit log."""
    report = get_report(session=session, reference=reference, policyholder_id=None)
    # Lock the row (PostgreSQL) so two agents cannot both move it from the same status.
    session.refresh(report, with_for_update=True)
    events: list[ReportEvent] = []
    if data.status is not None:
        if data.status == report.status:
            raise Conflict(f"Le signalement est déjà au statut « {STATUS_LABELS[report.status]} ».")
        if not can_move(report.status, data.status):
            raise Conflict(
                f"Passage impossible du statut « {STATUS_LABELS[report.status]} » "
                f"au statut « {STATUS_LABELS[data.status]} »."
            )
        events.append(
            ReportEvent(
                kind=EventKind.STATUS_CHANGED, from_status=report.status, to_status=data.status
            )
        )
        report.status = data.status
    if data.assigned_to_id is not None or data.unassign:
        if data.assigned_to_id is not None:
            assignee = session.get(StaffUser, data.assigned_to_id)
            if (
                assignee is None
                or not assignee.is_active
                or assignee.role
                not in (
                    StaffRole.AGENT,
                    StaffRole.ADMIN,
                )
            ):
                raise InvalidInput(
                    "Ce signalement ne peut être affecté qu'à un agent actif.",
                    field="assigned_to_id",
                )
        if data.assigned_to_id != report.assigned_to_id:
            report.assigned_to_id = data.assigned_to_id
            events.append(ReportEvent(kind=EventKind.ASSIGNED, assigned_to_id=data.assigned_to_id))
    if data.note is not None:
        events.append(ReportEvent(kind=EventKind.NOTE, note=data.note))
    for event in events:
        event.actor_id = actor_id
        report.events.append(event)
    report.updated_at = utcnow()
    session.flush()
    return report
