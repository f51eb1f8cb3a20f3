"""One sign-in page for every role, and signing out."""

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from starlette.responses import RedirectResponse, Response

from api.accounts.deps import SettingsDep
from api.accounts.service import Principal, authenticate
from api.core.db import SessionDep
from api.web import sessions
from api.web.deps import CsrfDep, OptionalPrincipalDep
from api.web.errors import LOGIN_PATH
from api.web.navigation import next_after_login, safe_next
from api.web.templating import render, templates

router = APIRouter(include_in_schema=False)

USERNAME_MAX = 64
PASSWORD_MAX = 1024
BAD_CREDENTIALS = "Identifiant ou mot de passe incorrect."


def _login_page(
    request: Request, *, next_path: str | None, username: str = "", error: str | None = None
) -> Response:
    context = {"next_path": next_path or "", "username": username, "error": error}
    return render(templates, request, "login.html", context, status_code=400 if error else 200)


def _no_console(request: Request, principal: Principal) -> Response:
    """A signed-in account whose role has no pages here yet."""
    return render(templates, request, "no_console.html", {"account": principal}, status_code=403)


@router.get(LOGIN_PATH)
def login_form(
    request: Request,
    principal: OptionalPrincipalDep,
    next_: Annotated[str | None, Query(alias="next")] = None,
) -> Response:
    next_path = safe_next(next_)
    if principal is None:
        return _login_page(request, next_path=next_path)
    target = next_after_login(principal.role, next_path)
    return RedirectResponse(target, 303) if target else _no_console(request, principal)


@router.post(LOGIN_PATH, dependencies=[CsrfDep])
def login(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next_: Annotated[str, Form(alias="next")] = "",
) -> Response:
    next_path = safe_next(next_)
    username = username.strip()
    principal = None
    if username and password and len(username) <= USERNAME_MAX and len(password) <= PASSWORD_MAX:
        principal = authenticate(
            session=session, username=username, password=password, demo=settings.demo
        )
    if principal is None:
        shown = username[:USERNAME_MAX]
        return _login_page(request, next_path=next_path, username=shown, error=BAD_CREDENTIALS)
    sessions.start(request, principal)
    target = next_after_login(principal.role, next_path)
    return RedirectResponse(target or LOGIN_PATH, status_code=303)


@router.post("/deconnexion", dependencies=[CsrfDep])
def logout(request: Request) -> Response:
    sessions.end(request)
    sessions.flash(request, "Vous êtes déconnecté.", "info")
    return RedirectResponse(LOGIN_PATH, status_code=303)
