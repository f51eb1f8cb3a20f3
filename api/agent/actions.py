"""What agents do to a report. Each is a POST with the CSRF token, then a redirect to the
report (Post/Redirect/Get); each change is one or more events of the report's audit log."""

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Form, Request
from pydantic import ValidationError
from starlette.responses import RedirectResponse

from api.agent.pages import report_or_404
from api.agent.ui import PREFIX, AgentPageDep, report_url
from api.core.db import SessionDep
from api.core.errors import DomainError
from api.reports import service
from api.reports.models import Report
from api.reports.schemas import DESCRIPTION_MAX, ReportUpdate
from api.reports.workflow import STATUS_LABELS, ReportStatus
from api.web import sessions
from api.web.deps import CsrfDep

router = APIRouter(prefix=PREFIX, dependencies=[CsrfDep])

FormText = Annotated[str, Form()]
LINK = "link"
MERGE = "merge"
NOTE_TOO_LONG = f"La note est trop longue : {DESCRIPTION_MAX} caractères au plus."


def _done(
    request: Request,
    session: SessionDep,
    report: Report,
    action: Callable[[], str],
) -> RedirectResponse:
    """Run an action; its refusal rolls everything back and is shown as a message."""
    back = report_url(report.reference)  # read before a rollback expires the row
    try:
        message = action()
    except DomainError as exc:
        session.rollback()
        sessions.flash(request, exc.message, "error")
    except ValidationError:
        session.rollback()
        sessions.flash(request, "Cette demande n'est pas valide.", "error")
    else:
        sessions.flash(request, message)
    return RedirectResponse(back, status_code=303)


def _refuse(request: Request, report: Report, message: str) -> RedirectResponse:
    sessions.flash(request, message, "error")
    return RedirectResponse(report_url(report.reference), status_code=303)


def _note(text: str) -> str | None:
    cleaned = text.strip()
    return cleaned or None


@router.post("/signalements/{reference}/statut")
def change_status(
    reference: str,
    request: Request,
    session: SessionDep,
    agent: AgentPageDep,
    status: FormText = "",
    note: FormText = "",
) -> RedirectResponse:
    report = report_or_404(session, reference)
    if status not in STATUS_LABELS:
        return _refuse(request, report, "Choisissez le nouveau statut.")
    if len(note.strip()) > DESCRIPTION_MAX:
        return _refuse(request, report, NOTE_TOO_LONG)
    target = ReportStatus(status)
    before = STATUS_LABELS[report.status]

    def act() -> str:
        data = ReportUpdate(status=target, note=_note(note))
        service.update_report(
            session=session, reference=report.reference, actor_id=agent.id, data=data
        )
        return f"Statut modifié : « {before} » → « {STATUS_LABELS[target]} »."

    return _done(request, session, report, act)


@router.post("/signalements/{reference}/notes")
def add_note(
    reference: str,
    request: Request,
    session: SessionDep,
    agent: AgentPageDep,
    note: FormText = "",
) -> RedirectResponse:
    report = report_or_404(session, reference)
    text = _note(note)
    if text is None:
        return _refuse(request, report, "La note est vide : écrivez-la avant de l'ajouter.")
    if len(text) > DESCRIPTION_MAX:
        return _refuse(request, report, NOTE_TOO_LONG)

    def act() -> str:
        data = ReportUpdate(note=text)
        service.update_report(
            session=session, reference=report.reference, actor_id=agent.id, data=data
        )
        return "Note ajoutée à l'historique."

    return _done(request, session, report, act)


@router.post("/signalements/{reference}/affectation")
def assign(
    reference: str,
    request: Request,
    session: SessionDep,
    agent: AgentPageDep,
    assigned_to: FormText = "",
) -> RedirectResponse:
    report = report_or_404(session, reference)
    value = assigned_to.strip()
    if value and not (value.isdigit() and 0 < int(value) < 2**31):
        return _refuse(request, report, "Choisissez un agent dans la liste.")
    assignee_id = int(value) if value else None
    if assignee_id == report.assigned_to_id:
        unchanged = "déjà affecté à cet agent" if value else "déjà sans affectation"
        return _refuse(request, report, f"Rien à changer : ce signalement est {unchanged}.")

    def act() -> str:
        data = ReportUpdate(assigned_to_id=assignee_id, unassign=assignee_id is None)
        service.update_report(
            session=session, reference=report.reference, actor_id=agent.id, data=data
        )
        if assignee_id is None:
            return "Affectation retirée."
        if assignee_id == agent.id:
            return "Signalement affecté à vous-même."
        return "Signalement affecté."

    return _done(request, session, report, act)


@router.post("/signalements/{reference}/doublon")
def link_duplicate(
    reference: str,
    request: Request,
    session: SessionDep,
    agent: AgentPageDep,
    original: FormText = "",
    mode: FormText = LINK,
) -> RedirectResponse:
    report = report_or_404(session, reference)
    original_reference = original.strip().upper()
    if not original_reference:
        return _refuse(request, report, "Indiquez la référence du signalement d'origine.")
    if mode not in (LINK, MERGE):
        return _refuse(request, report, "Choisissez entre rattacher et marquer comme doublon.")

    def act() -> str:
        service.link_duplicate(
            session=session,
            reference=report.reference,
            original_reference=original_reference[:40],
            actor_id=agent.id,
            mark_duplicate=mode == MERGE,
        )
        if mode == MERGE:
            return f"Signalement marqué comme doublon de {original_reference}."
        return f"Signalement rattaché à {original_reference}."

    return _done(request, session, report, act)


@router.post("/signalements/{reference}/doublon/retrait")
def unlink_duplicate(
    reference: str, request: Request, session: SessionDep, agent: AgentPageDep
) -> RedirectResponse:
    report = report_or_404(session, reference)

    def act() -> str:
        service.unlink_duplicate(session=session, reference=report.reference, actor_id=agent.id)
        return "Lien retiré. Changez le statut si ce signalement n'est plus un doublon."

    return _done(request, session, report, act)
