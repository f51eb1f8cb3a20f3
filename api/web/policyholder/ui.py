"""The account pages' templates, the access rule, the report an address names, and what the
chat widget needs from the page."""

import time
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import Depends, Request
from jinja2 import pass_context
from starlette.responses import HTMLResponse

from api.accounts import tokens
from api.accounts.models import Role
from api.accounts.service import Principal
from api.claims.catalogue import ProviderKind, kind_label
from api.core.config import Settings
from api.core.db import SessionDep
from api.core.errors import NotFound
from api.reports.access import NOT_FOUND, get_report, readable_reports
from api.reports.models import Report
from api.web import formatting
from api.web.deps import require_page_roles
from api.web.templating import PAGE_HEADERS, make_templates, render

PREFIX = "/compte"
REPORTS = f"{PREFIX}/signalements"
PREFERENCES = f"{PREFIX}/preferences"
REFERENCE_MAX = 32
MONTHS = (
    *("janvier", "février", "mars", "avril", "mai", "juin"),
    *("juillet", "août", "septembre", "octobre", "novembre", "décembre"),
)

require_policyholder = require_page_roles(Role.POLICYHOLDER)
PolicyholderPageDep = Annotated[Principal, Depends(require_policyholder)]


def report_url(reference: str) -> str:
    return f"{REPORTS}/{reference}"


def my_report(reference: str, session: SessionDep, principal: PolicyholderPageDep) -> Report:
    """The report the address names, if it is the policyholder's (else « introuvable »)."""
    if len(reference) > REFERENCE_MAX:
        raise NotFound(NOT_FOUND)
    return get_report(session=session, reference=reference, readable=readable_reports(principal))


MyReportDep = Annotated[Report, Depends(my_report)]


def long_date(value: date) -> str:
    """« 1er novembre 2026 », « 12 novembre 2026 »."""
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day}{formatting.NBSP}{MONTHS[value.month - 1]} {value.year}"


@pass_context
def _local_long_date(context: Any, value: datetime) -> str:
    timezone: str = context["request"].app.state.settings.timezone
    return long_date(formatting.local(value, timezone).date())


def _provider_kind(kind: ProviderKind) -> str:
    return kind_label(kind)


templates = make_templates(Path(__file__).resolve().parent / "templates")
templates.env.filters.update(
    long_date=long_date, local_long_date=_local_long_date, provider_kind=_provider_kind
)
templates.env.globals.update(report_url=report_url)


def assistant_origins(assistant_url: str) -> str:
    """The assistant's origin for the CSP's connect-src, over HTTP(S) and WebSocket."""
    parts = urlsplit(assistant_url)
    socket_scheme = "wss" if parts.scheme == "https" else "ws"
    return f"{parts.scheme}://{parts.netloc} {socket_scheme}://{parts.netloc}"


def widget_token(principal: Principal, settings: Settings) -> str:
    """A chat token for the assistant's channels, bound to this web session (signing out ends
    it): enough for a conversation, renewed by reloading the page. Never an API credential."""
    token, _seconds = tokens.chat_token(principal, key=settings.channel_key, now=int(time.time()))
    return token


def page(request: Request, name: str, context: dict[str, Any]) -> HTMLResponse:
    """An account page: the widget may open a socket to the assistant, and to nothing else."""
    settings: Settings = request.app.state.settings
    response = render(templates, request, name, context)
    csp = PAGE_HEADERS["Content-Security-Policy"]
    connect = f"connect-src 'self' {assistant_origins(settings.assistant_url)}"
    response.headers["Content-Security-Policy"] = f"{csp}; {connect}"
    return response
