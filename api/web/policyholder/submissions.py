"""What the policyholder's forms post: a complement to one of their open reports, their contact
preferences."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse

from api.accounts.preferences import set_payment_emails
from api.core.db import SessionDep
from api.core.text import french_spacing
from api.reports.access import find_by_reference, owned_reports
from api.reports.complements import add_complement
from api.reports.schemas import ComplementCreate
from api.web.deps import CsrfDep
from api.web.outcomes import posted
from api.web.policyholder.ui import (
    PREFERENCES,
    PREFIX,
    REFERENCE_MAX,
    REPORTS,
    PolicyholderPageDep,
    report_url,
)
from contract.reports import DESCRIPTION_MAX

router = APIRouter(prefix=PREFIX, dependencies=[CsrfDep])

EMAILS_ON = french_spacing(
    "Vos préférences sont enregistrées : vous recevrez un courriel après chaque paiement."
)
EMAILS_OFF = french_spacing(
    "Vos préférences sont enregistrées : vous ne recevrez plus de courriel après vos paiements."
)


def _back_to_report(session: Session, reference: str, policyholder_id: int) -> str:
    """The report's own page when the reference names one of theirs, else the list."""
    report = find_by_reference(session, reference, owned_reports(policyholder_id))
    return report_url(report.reference) if report is not None else REPORTS


@router.post("/signalements/complement")
def complement(
    request: Request,
    session: SessionDep,
    principal: PolicyholderPageDep,
    reference: Annotated[str, Form(max_length=REFERENCE_MAX)] = "",
    text: Annotated[str, Form(max_length=DESCRIPTION_MAX * 2)] = "",
    key: Annotated[str, Form(max_length=200, pattern=r"^[\x21-\x7e]*$")] = "",
) -> RedirectResponse:
    """The owner adds a complement to one of their open reports (Post/Redirect/Get)."""

    def add() -> str:
        data = ComplementCreate(text=text)
        report, _new = add_complement(
            session=session,
            reference=reference,
            policyholder_id=principal.id,
            text=data.text,
            idempotency_key=key or None,
        )
        return f"Votre complément a été ajouté au signalement {report.reference}."

    back = _back_to_report(session, reference, principal.id)
    return posted(request, session, add, back, invalid=_first_message)


def _first_message(exc: ValidationError) -> str:
    error = exc.errors()[0]
    if error["type"] == "string_too_long":
        return french_spacing(
            f"Votre complément est trop long : {DESCRIPTION_MAX} caractères au plus."
        )
    return "Écrivez votre complément avant de l'envoyer."


@router.post("/preferences")
def save_preferences(
    request: Request,
    session: SessionDep,
    principal: PolicyholderPageDep,
    payment_emails: Annotated[str, Form(max_length=10)] = "",
) -> RedirectResponse:
    """An unticked box is not sent: no value means « no email »."""

    def save() -> str:
        saved = set_payment_emails(
            session=session, policyholder_id=principal.id, enabled=bool(payment_emails.strip())
        )
        return EMAILS_ON if saved.payment_emails else EMAILS_OFF

    return posted(request, session, save, PREFERENCES)
