"""The console's templates, its addresses, the access rule every route shares, and the report a
page or a form is about (a dependency: another's or a missing one is « introuvable »)."""

from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from starlette.responses import HTMLResponse

from api.accounts.models import Role
from api.accounts.service import Principal
from api.core.db import SessionDep
from api.core.errors import NotFound
from api.reports.access import NOT_FOUND, get_report, readable_reports
from api.reports.models import Report
from api.reports.workflow import ANOMALY_LABELS, STATUS_LABELS
from api.web.agent.comparison import provider_details
from api.web.deps import require_page_roles
from api.web.templating import make_templates, render

PREFIX = "/agent"
REPORTS = f"{PREFIX}/signalements"
templates = make_templates(Path(__file__).resolve().parent / "templates")

require_agent = require_page_roles(Role.AGENT, Role.ADMIN)
AgentPageDep = Annotated[Principal, Depends(require_agent)]
REFERENCE_MAX = 32


def agent_report(reference: str, session: SessionDep, agent: AgentPageDep) -> Report:
    """The report the address names, among those the agent may read."""
    if len(reference) > REFERENCE_MAX:
        raise NotFound(NOT_FOUND)
    return get_report(session=session, reference=reference, readable=readable_reports(agent))


AgentReportDep = Annotated[Report, Depends(agent_report)]


def report_url(reference: str) -> str:
    return f"{REPORTS}/{reference}"


def provider_url(provider_id: int) -> str:
    return f"{PREFIX}/professionnels/{provider_id}"


def page(
    request: Request, name: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    return render(templates, request, name, context, status_code=status_code)


templates.env.globals.update(
    report_url=report_url,
    provider_url=provider_url,
    status_labels=STATUS_LABELS,
    anomaly_labels=ANOMALY_LABELS,
    provider_details=provider_details,
)
