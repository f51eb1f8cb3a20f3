"""What a policyholder adds to their own report after filing it: one `complement` event each."""

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from api.core.db import utcnow
from api.core.errors import Conflict
from api.core.text import french_spacing
from api.reports.access import get_report, owned_reports
from api.reports.models import Report, ReportEvent
from api.reports.workflow import OPEN_STATUSES, STATUS_LABELS, EventKind, ReportStatus


class ReportClosed(Conflict):
    code = "report_closed"


def add_complement(
    *,
    session: Session,
    reference: str,
    policyholder_id: int,
    text: str,
    idempotency_key: str | None,
) -> tuple[Report, bool]:
    """Add the owner's complement to an open report; returns the report and whether the
    complement is new (False: a retry with the same key, which adds nothing). Another person's
    report is not found, as a missing one."""
    report = get_report(
        session=session, reference=reference, readable=owned_reports(policyholder_id)
    )
    if report.status not in OPEN_STATUSES:
        if idempotency_key and _by_key(session, report, idempotency_key, text):
            return report, False
        raise _closed(session, report)
    now = utcnow()
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    added = session.scalar(
        insert(ReportEvent)
        .values(
            report_id=report.id,
            kind=EventKind.COMPLEMENT,
            note=text,
            idempotency_key=idempotency_key,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=[ReportEvent.report_id, ReportEvent.idempotency_key])
        .returning(ReportEvent.id)
    )
    if added is None:  # only a key can conflict, and the complement it added is committed
        assert idempotency_key is not None
        _by_key(session, report, idempotency_key, text)
        return report, False
    report.updated_at = now
    session.flush()
    session.expire(report, ["events"])
    return report, True


def _by_key(session: Session, report: Report, key: str, text: str) -> bool:
    """Whether this key already added this complement (a key reused for another text: 409)."""
    stmt = select(ReportEvent.note).where(
        ReportEvent.report_id == report.id, ReportEvent.idempotency_key == key
    )
    rows = session.execute(stmt).first()
    if rows is None:
        return False
    if rows.note != text:
        raise Conflict(
            french_spacing(
                "Cette clé d'idempotence a déjà servi pour un autre complément : "
                "utilisez une nouvelle clé pour un nouveau complément."
            )
        )
    return True


def _closed(session: Session, report: Report) -> ReportClosed:
    said = (
        f"Le signalement {report.reference} est clos (« {STATUS_LABELS[report.status]} ») : "
        "un complément n'y serait plus lu."
    )
    original = (
        session.get(Report, report.duplicate_of_id)
        if report.status is ReportStatus.DUPLICATE and report.duplicate_of_id is not None
        else None
    )
    if original is not None and original.policyholder_id == report.policyholder_id:
        said += f" Ajoutez plutôt vos précisions au signalement {original.reference}."
    else:
        said += " Si les faits demandent un nouvel examen, déposez un nouveau signalement."
    return ReportClosed(french_spacing(said), extra={"reference": report.reference})


def complements_by_report(
    *, session: Session, report_ids: Iterable[int]
) -> dict[int, list[ReportEvent]]:
    """The complements of a page of reports, in one query, oldest first."""
    ids = list(report_ids)
    found: dict[int, list[ReportEvent]] = defaultdict(list)
    if not ids:
        return found
    stmt = (
        select(ReportEvent)
        .where(ReportEvent.report_id.in_(ids), ReportEvent.kind == EventKind.COMPLEMENT)
        .order_by(ReportEvent.id)
    )
    for event in session.scalars(stmt):
        found[event.report_id].append(event)
    return found
