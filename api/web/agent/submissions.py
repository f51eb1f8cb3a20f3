"""What agents do to a report. Each is a POST with the CSRF token, then a redirect to the
report (Post/Redirect/Get); each change is one or more events of the report's audit log."""

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from api.core.db import SessionDep
from api.reports import decisions
from api.reports.models import Report
from api.reports.schemas import ReportUpdate
from api.reports.workflow import STATUS_LABELS, ReportStatus
from api.web.agent.ui import PREFIX, AgentPageDep, AgentReportDep, report_url
from api.web.deps import CsrfDep
from api.web.outcomes import posted, refused
from contract.reports import DESCRIPTION_MAX

router = APIRouter(prefix=PREFIX, dependencies=[CsrfDep])

FormText = Annotated[str, Form()]
LINK = "link"
MERGE = "merge"
NOTE_TOO_LONG = f"La note est trop longue : {DESCRIPTION_MAX} caractères au plus."


def _done(
    request: Request, session: SessionDep, report: Report, act: Callable[[], str]
) -> Response:
    """Run a decision on the report, then go back to it (a refusal rolls everything back)."""
    return posted(request, session, act, report_url(report.reference))  # url read before a rollback


def _refuse(request: Request, report: Report, message: str) -> Response:
    return refused(request, message, report_url(report.reference))


def _note(text: str) -> str | None:
    cleaned = text.strip()
    return cleaned or None


@router.post("/signalements/{reference}/statut")
def change_status(
    report: AgentReportDep,
    request: Request,
    session: SessionDep,
    agent: AgentPageDep,
    status: FormText = "",
    note: FormText = "",
) -> Response:
    if status not in STATUS_LABELS:
        return _refuse(request, report, "Choisissez le nouveau statut.")
    if len(note.strip()) > DESCRIPTION_MAX:
        return _refuse(request, report, NOTE_TOO_LONG)
    target = ReportStatus(status)
    before = STATUS_LABELS[report.status]

    def act() -> str:
        data = ReportUpdate(status=target, note=_note(note))
        decisions.update_report(
            session=session, reference=report.reference, actor_id=agent.id, data=data
        )
        return f"Statut modifié : « {before} » → « {STATUS_LABELS[target]} »."

    return _done(request, session, report, act)


@router.post("/signalements/{reference}/notes")
def add_note(
    report: AgentReportDep,
    request: Request,
    session: SessionDep,
    agent: AgentPageDep,
    note: FormText = "",
) -> Response:
    text = _note(note)
    if text is None:
        return _refuse(request, report, "La note est vide : écrivez-la avant de l'ajouter.")
    if len(text) > DESCRIPTION_MAX:
        return _refuse(request, report, NOTE_TOO_LONG)

    def act() -> str:
        data = ReportUpdate(note=text)
        decisions.update_report(
            session=session, reference=report.reference, actor_id=agent.id, data=data
        )
        return "Note ajoutée à l'historique."

    return _done(request, session, report, act)


@router.post("/signalements/{reference}/affectation")
def assign(
    report: AgentReportDep,
    request: Request,
    session: SessionDep,
    agent: AgentPageDep,
    assigned_to: FormText = "",
) -> Response:
    value = assigned_to.strip()
    if value and not (value.isdigit() and 0 < int(value) < 2**31):
        return _refuse(request, report, "Choisissez un agent dans la liste.")
    assignee_id = int(value) if value else None
    if assignee_id == report.assigned_to_id:
        unchanged = "déjà affecté à cet agent" if value else "déjà sans affectation"
        return _refuse(request, report, f"Rien à changer : ce signalement est {unchanged}.")

    def act() -> str:
        data = ReportUpdate(assigned_to_id=assignee_id, unassign=assignee_id is None)
        decisions.update_report(
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
    report: AgentReportDep,
    request: Request,
    session: SessionDep,
    agent: AgentPageDep,
    original: FormText = "",
    mode: FormText = LINK,
) -> Response:
    original_reference = original.strip().upper()
    if not original_reference:
        return _refuse(request, report, "Indiquez la référence du signalement d'origine.")
    if mode not in (LINK, MERGE):
        return _refuse(request, report, "Choisissez entre rattacher et marquer comme doublon.")

    def act() -> str:
        decisions.link_duplicate(
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
    report: AgentReportDep, request: Request, session: SessionDep, agent: AgentPageDep
) -> Response:

    def act() -> str:
        decisions.unlink_duplicate(session=session, reference=report.reference, actor_id=agent.id)
        return "Lien retiré. Changez le statut si ce signalement n'est plus un doublon."

    return _done(request, session, report, act)
