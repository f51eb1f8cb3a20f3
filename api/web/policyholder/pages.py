"""What the policyholder is shown: « Mes paiements » and « Mes signalements »."""

import uuid

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from api.accounts.deps import SettingsDep
from api.claims.access import readable_claims
from api.claims.service import ClaimFilters, list_claims
from api.core.db import SessionDep
from api.reports.access import readable_reports
from api.reports.complements import complements_by_report
from api.reports.listing import ReportFilters, list_reports
from api.reports.workflow import OPEN_STATUSES, STATUS_LABELS
from api.web.pagination import make_pager, url_with
from api.web.policyholder.ui import (
    PREFIX,
    PolicyholderPageDep,
    page,
    widget_token,
)
from contract.reports import DESCRIPTION_MAX

router = APIRouter(prefix=PREFIX)

PER_PAGE = 50
MAX_PAGE = 10_000


def _widget(principal: PolicyholderPageDep, settings: SettingsDep) -> dict[str, str]:
    return {"token": widget_token(principal, settings), "url": settings.assistant_url}


@router.get("")
def payments(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: PolicyholderPageDep,
    page_number: int = Query(1, alias="page", ge=1, le=MAX_PAGE),
) -> Response:
    claims, total = list_claims(
        session=session,
        readable=readable_claims(principal),
        filters=ClaimFilters(),
        limit=PER_PAGE,
        offset=(page_number - 1) * PER_PAGE,
    )
    pager = make_pager(
        page=page_number,
        per_page=PER_PAGE,
        total=total,
        url=lambda number: url_with(request, page=number),
    )
    context = {
        "active": "payments",
        "claims": claims,
        "pager": pager,
        "widget": _widget(principal, settings),
    }
    return page(request, "account/payments.html", context)


@router.get("/signalements")
def reports(
    request: Request, session: SessionDep, settings: SettingsDep, principal: PolicyholderPageDep
) -> Response:
    found, _total = list_reports(
        session=session,
        readable=readable_reports(principal),
        filters=ReportFilters(),
        sort="-created_at",
        limit=200,
        offset=0,
    )
    context = {
        "active": "reports",
        "reports": found,
        "complements": complements_by_report(session=session, report_ids=[r.id for r in found]),
        "open_reports": [r for r in found if r.status in OPEN_STATUSES],
        "status_labels": STATUS_LABELS,
        "text_max": DESCRIPTION_MAX,
        # Sent back with the form: submitting it twice adds the complement once.
        "complement_key": f"page-{uuid.uuid4().hex}",
        "widget": _widget(principal, settings),
    }
    return page(request, "account/reports.html", context)
