"""The policyholder's pages: « Mes paiements » and « Mes signalements » (policyholders only)."""

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from api.account.ui import PREFIX, PolicyholderPageDep, page, require_policyholder, widget_token
from api.accounts.deps import SettingsDep
from api.claims.service import ClaimFilters, list_claims
from api.core.db import SessionDep
from api.reports.service import ReportFilters, list_reports
from api.reports.workflow import STATUS_LABELS
from api.web.errors import PageNotFound
from api.web.pagination import make_pager, url_with

router = APIRouter(
    prefix=PREFIX, dependencies=[Depends(require_policyholder)], include_in_schema=False
)

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
        filters=ClaimFilters(policyholder_id=principal.id),
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
        filters=ReportFilters(policyholder_id=principal.id),
        sort="-created_at",
        limit=200,
        offset=0,
    )
    context = {
        "active": "reports",
        "reports": found,
        "status_labels": STATUS_LABELS,
        "widget": _widget(principal, settings),
    }
    return page(request, "account/reports.html", context)


@router.get("/{path:path}")
def not_found(path: str) -> None:
    raise PageNotFound("Cette page de votre compte n'existe pas.")
