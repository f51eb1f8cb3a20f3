"""The policyholder's pages: « Mes paiements » and « Mes signalements » (policyholders only)."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from pydantic import ValidationError
from starlette.responses import RedirectResponse, Response

from api.account.ui import PREFIX, PolicyholderPageDep, page, require_policyholder, widget_token
from api.accounts.deps import SettingsDep
from api.claims.service import ClaimFilters, list_claims
from api.core.db import SessionDep
from api.core.errors import DomainError
from api.reports.complements import add_complement, complements_by_report
from api.reports.schemas import DESCRIPTION_MAX, ComplementCreate
from api.reports.service import ReportFilters, list_reports
from api.reports.workflow import OPEN_STATUSES, STATUS_LABELS
from api.web import sessions
from api.web.deps import CsrfDep
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
        "complements": complements_by_report(session=session, report_ids=[r.id for r in found]),
        "open_reports": [r for r in found if r.status in OPEN_STATUSES],
        "status_labels": STATUS_LABELS,
        "text_max": DESCRIPTION_MAX,
        # Sent back with the form: submitting it twice adds the complement once.
        "complement_key": f"page-{uuid.uuid4().hex}",
        "widget": _widget(principal, settings),
    }
    return page(request, "account/reports.html", context)


@router.post("/signalements/complement", dependencies=[CsrfDep])
def complement(
    request: Request,
    session: SessionDep,
    principal: PolicyholderPageDep,
    reference: Annotated[str, Form(max_length=32)] = "",
    text: Annotated[str, Form(max_length=DESCRIPTION_MAX * 2)] = "",
    key: Annotated[str, Form(max_length=200, pattern=r"^[\x21-\x7e]*$")] = "",
) -> RedirectResponse:
    """The owner adds a complement to one of their open reports (Post/Redirect/Get)."""
    back = RedirectResponse(f"{PREFIX}/signalements", status_code=303)
    try:
        data = ComplementCreate(text=text)
        report, _new = add_complement(
            session=session,
            reference=reference,
            policyholder_id=principal.id,
            text=data.text,
            idempotency_key=key or None,
        )
    except ValidationError as exc:
        sessions.flash(request, _first_message(exc), "error")
        return back
    except DomainError as exc:
        session.rollback()
        sessions.flash(request, exc.message, "error")
        return back
    sessions.flash(request, f"Votre complément a été ajouté au signalement {report.reference}.")
    return back


def _first_message(exc: ValidationError) -> str:
    error = exc.errors()[0]
    if error["type"] == "string_too_long":
        return f"Votre complément est trop long : {DESCRIPTION_MAX} caractères au plus."
    return "Écrivez votre complément avant de l'envoyer."


@router.get("/{path:path}")
def not_found(path: str) -> None:
    raise PageNotFound("Cette page de votre compte n'existe pas.")
