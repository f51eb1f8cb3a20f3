"""The agents' decisions on a report: status, assignment, notes, duplicate links. Each is
checked before anything changes, and each part of it becomes one event of the audit log."""

from sqlalchemy import true
from sqlalchemy.orm import Session

from api.accounts.models import StaffRole, StaffUser
from api.core.db import utcnow
from api.core.errors import Conflict, InvalidInput
from api.reports.access import find_by_reference, get_report
from api.reports.models import Report, ReportEvent
from api.reports.schemas import ReportUpdate
from api.reports.workflow import STATUS_LABELS, EventKind, ReportStatus, can_move


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
    # Decisions are the agents' (their routes say so), who may read every report.
    report = get_report(session=session, reference=reference, readable=true())
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
    original = find_by_reference(session, original_reference, true())
    if original is None:
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
