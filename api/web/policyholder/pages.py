"""What the policyholder is shown: « Mes paiements », « Mes signalements », one report, and
« Mes préférences »."""

import uuid

from fastapi import APIRouter, Query, Request
from starlette.responses import RedirectResponse, Response

from api.accounts.deps import SettingsDep
from api.accounts.preferences import contact_preferences
from api.claims.access import readable_claims
from api.claims.service import ClaimFilters, list_claims
from api.core.db import SessionDep
from api.reports.access import readable_reports
from api.reports.history import NEXT_STEPS, original_of, policyholder_history
from api.reports.listing import ReportFilters, list_reports, reports_on_claims
from api.reports.workflow import ANOMALY_LABELS, OPEN_STATUSES, STATUS_LABELS, EventKind
from api.web.pagination import Pager, make_pager, url_with
from api.web.policyholder.ui import (
    PREFIX,
    MyReportDep,
    PolicyholderPageDep,
    page,
    widget_token,
)
from contract.reports import DESCRIPTION_MAX

router = APIRouter(prefix=PREFIX)

PER_PAGE = 50
REPORTS_PER_PAGE = 20
MAX_PAGE = 10_000
PageNumber = Query(1, alias="page", ge=1, le=MAX_PAGE)


def _widget(principal: PolicyholderPageDep, settings: SettingsDep) -> dict[str, str]:
    return {"token": widget_token(principal, settings), "url": settings.assistant_url}


def _pager(request: Request, page_number: int, per_page: int, total: int) -> Pager:
    return make_pager(
        page=page_number,
        per_page=per_page,
        total=total,
        url=lambda number: url_with(request, page=number),
    )


def _to_last_page(request: Request, pager: Pager) -> RedirectResponse:
    """A page past the end of the list: the last one, rather than an empty list that would
    read as « nothing here »."""
    return RedirectResponse(url_with(request, page=pager.page), status_code=303)


@router.get("")
def payments(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: PolicyholderPageDep,
    page_number: int = PageNumber,
) -> Response:
    claims, total = list_claims(
        session=session,
        readable=readable_claims(principal),
        filters=ClaimFilters(),
        limit=PER_PAGE,
        offset=(page_number - 1) * PER_PAGE,
    )
    pager = _pager(request, page_number, PER_PAGE, total)
    if pager.page != page_number:
        return _to_last_page(request, pager)
    reported = reports_on_claims(
        session=session,
        readable=readable_reports(principal),
        claim_ids=[claim.id for claim in claims],
    )
    context = {
        "active": "payments",
        "claims": claims,
        "reported": reported,
        "status_labels": STATUS_LABELS,
        "pager": pager,
        "widget": _widget(principal, settings),
    }
    return page(request, "account/payments.html", context)


@router.get("/signalements")
def reports(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: PolicyholderPageDep,
    page_number: int = PageNumber,
) -> Response:
    found, total = list_reports(
        session=session,
        readable=readable_reports(principal),
        filters=ReportFilters(),
        sort="-created_at",
        limit=REPORTS_PER_PAGE,
        offset=(page_number - 1) * REPORTS_PER_PAGE,
        with_claims=True,
    )
    pager = _pager(request, page_number, REPORTS_PER_PAGE, total)
    if pager.page != page_number:
        return _to_last_page(request, pager)
    context = {
        "active": "reports",
        "reports": found,
        "pager": pager,
        "status_labels": STATUS_LABELS,
        "widget": _widget(principal, settings),
    }
    return page(request, "account/reports.html", context)


@router.get("/signalements/{reference}")
def report_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: PolicyholderPageDep,
    report: MyReportDep,
) -> Response:
    """One of the policyholder's reports: the claim, what was declared, where it stands."""
    context = {
        "active": "reports",
        "report": report,
        "status_label": STATUS_LABELS[report.status],
        "anomaly_label": ANOMALY_LABELS[report.anomaly_type],
        "next_step": NEXT_STEPS[report.status],
        "history": policyholder_history(report.events),
        "original": original_of(session, report),
        "complements": [e for e in report.events if e.kind is EventKind.COMPLEMENT],
        "is_open": report.status in OPEN_STATUSES,
        "text_max": DESCRIPTION_MAX,
        # Sent back with the form: submitting it twice adds the complement once.
        "complement_key": f"page-{uuid.uuid4().hex}",
        "widget": _widget(principal, settings),
    }
    return page(request, "account/report.html", context)


@router.get("/preferences")
def preferences(
    request: Request, session: SessionDep, settings: SettingsDep, principal: PolicyholderPageDep
) -> Response:
    context = {
        "active": "preferences",
        "preferences": contact_preferences(session=session, policyholder_id=principal.id),
        "widget": _widget(principal, settings),
    }
    return page(request, "account/preferences.html", context)
