"""What a posted form answers (Post/Redirect/Get): the use case's own message, or its refusal,
shown on the page the redirect leads to.

A refusal is a domain error (api/core/errors.py) or invalid input; either rolls back everything
the use case wrote, so nothing is half-done, and the person reads why in French.
"""

from collections.abc import Callable

from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse

from api.core.errors import DomainError, validation_errors
from api.web import sessions

INVALID = "Cette demande n'est pas valide."


def first_invalid(exc: ValidationError) -> str:
    """The first invalid field's French message."""
    errors = validation_errors(exc)
    return errors[0]["message"] if errors else INVALID


def posted(
    request: Request,
    session: Session,
    use_case: Callable[[], str],
    back: str,
    *,
    invalid: Callable[[ValidationError], str] | None = None,
) -> RedirectResponse:
    """Run what a form asks and go back to `back`, with the use case's message or its refusal.

    `invalid` words a refusal of the form's fields (the field's own message by default)."""
    try:
        message = use_case()
    except DomainError as exc:
        session.rollback()
        sessions.flash(request, exc.message, "error")
    except ValidationError as exc:
        session.rollback()
        sessions.flash(request, (invalid or first_invalid)(exc), "error")
    else:
        sessions.flash(request, message)
    return RedirectResponse(back, status_code=303)


def refused(request: Request, message: str, back: str) -> RedirectResponse:
    """Go back to `back` saying why nothing was done (a check made before any use case ran)."""
    sessions.flash(request, message, "error")
    return RedirectResponse(back, status_code=303)
