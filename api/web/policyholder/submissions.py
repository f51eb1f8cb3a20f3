"""What the policyholder's forms post: a complement to one of their open reports."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from pydantic import ValidationError
from starlette.responses import RedirectResponse

from api.core.db import SessionDep
from api.reports.complements import add_complement
from api.reports.schemas import ComplementCreate
from api.web.deps import CsrfDep
from api.web.outcomes import posted
from api.web.policyholder.ui import PREFIX, PolicyholderPageDep
from contract.reports import DESCRIPTION_MAX

router = APIRouter(prefix=PREFIX, dependencies=[CsrfDep])


@router.post("/signalements/complement")
def complement(
    request: Request,
    session: SessionDep,
    principal: PolicyholderPageDep,
    reference: Annotated[str, Form(max_length=32)] = "",
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

    return posted(request, session, add, f"{PREFIX}/signalements", invalid=_first_message)


def _first_message(exc: ValidationError) -> str:
    error = exc.errors()[0]
    if error["type"] == "string_too_long":
        return f"Votre complément est trop long : {DESCRIPTION_MAX} caractères au plus."
    return "Écrivez votre complément avant de l'envoyer."
