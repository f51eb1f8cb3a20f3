"""One sign-in page for every role, signing out, and changing one's password."""

import time
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from starlette.responses import RedirectResponse, Response

from api.accounts import auth_sessions, signin
from api.accounts.deps import ClientAddressDep, GuardDep, SettingsDep
from api.accounts.models import EndReason, SessionOrigin
from api.accounts.service import Principal
from api.accounts.signin import BAD_CREDENTIALS, TooManyAttempts
from api.core.db import SessionDep
from api.core.errors import DomainError, NotAuthenticated
from api.web import sessions
from api.web.deps import CsrfDep, OptionalPrincipalDep, PagePrincipalDep
from api.web.errors import LOGIN_PATH
from api.web.navigation import home_for, next_after_login, safe_next
from api.web.templating import render, templates

router = APIRouter(include_in_schema=False)

USERNAME_MAX = signin.USERNAME_MAX
PASSWORD_MAX = signin.PASSWORD_INPUT_MAX
PASSWORD_PATH = "/mot-de-passe"  # noqa: S105 - a page address
# Also said by the forgotten-password form (api/web/public), which sets a password the same way.
CONFIRMATION_MISMATCH = "La confirmation ne correspond pas au nouveau mot de passe."


def _login_page(
    request: Request,
    *,
    next_path: str | None,
    username: str = "",
    error: str | None = None,
    status_code: int | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    context = {"next_path": next_path or "", "username": username, "error": error}
    status = status_code or (400 if error else 200)
    response = render(templates, request, "login.html", context, status_code=status)
    response.headers.update(headers or {})
    return response


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
    guard: GuardDep,
    address: ClientAddressDep,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next_: Annotated[str, Form(alias="next")] = "",
) -> Response:
    next_path = safe_next(next_)
    username = username.strip()
    shown = username[:USERNAME_MAX]
    if not (username and password and len(username) <= USERNAME_MAX):
        return _login_page(request, next_path=next_path, username=shown, error=BAD_CREDENTIALS)
    if len(password) > PASSWORD_MAX:
        return _login_page(request, next_path=next_path, username=shown, error=BAD_CREDENTIALS)
    try:
        signed_in = signin.sign_in(
            session=session,
            guard=guard,
            username=username,
            password=password,
            address=address,
            demo=settings.demo,
            origin=SessionOrigin.WEB,
            seconds=settings.session_max_hours * 3600,
            now=time.time(),
            replaces=sessions.session_id(request),
        )
    except TooManyAttempts as exc:
        return _login_page(
            request,
            next_path=next_path,
            username=shown,
            error=exc.message,
            status_code=exc.status_code,
            headers=exc.headers,
        )
    except NotAuthenticated:  # rendered, not raised: the failure counted is kept
        return _login_page(request, next_path=next_path, username=shown, error=BAD_CREDENTIALS)
    principal = signed_in.principal
    sessions.start(request, principal, signed_in.session.id)
    target = next_after_login(principal.role, next_path)
    return RedirectResponse(target or LOGIN_PATH, status_code=303)


@router.post("/deconnexion", dependencies=[CsrfDep])
def logout(request: Request, session: SessionDep) -> Response:
    session_id = sessions.session_id(request)
    if session_id is not None:
        auth_sessions.end_session(
            session=session, session_id=session_id, reason=EndReason.SIGNED_OUT, now=time.time()
        )
    sessions.end(request)
    sessions.flash(request, "Vous êtes déconnecté.", "info")
    return RedirectResponse(LOGIN_PATH, status_code=303)


def _password_page(
    request: Request, errors: dict[str, str] | None = None, status_code: int = 200
) -> Response:
    context = {"errors": errors or {}}
    return render(templates, request, "password.html", context, status_code=status_code)


@router.get(PASSWORD_PATH)
def password_form(request: Request, _principal: PagePrincipalDep) -> Response:
    return _password_page(request)


@router.post(PASSWORD_PATH, dependencies=[CsrfDep])
def change_password(
    request: Request,
    session: SessionDep,
    principal: PagePrincipalDep,
    guard: GuardDep,
    address: ClientAddressDep,
    current_password: Annotated[str, Form()] = "",
    new_password: Annotated[str, Form()] = "",
    confirmation: Annotated[str, Form()] = "",
) -> Response:
    if not current_password or len(current_password) > PASSWORD_MAX:
        errors = {"current_password": "Saisissez votre mot de passe actuel."}
        return _password_page(request, errors, 400)
    if new_password != confirmation:
        errors = {"confirmation": CONFIRMATION_MISMATCH}
        return _password_page(request, errors, 400)
    try:
        ended = signin.change_password(
            session=session,
            guard=guard,
            principal=principal,
            current_password=current_password,
            new_password=new_password,
            address=address,
            now=time.time(),
        )
    except DomainError as exc:  # rendered, not raised: a wrong current password is counted
        field = exc.field or "current_password"
        return _password_page(request, {field: exc.message}, exc.status_code)
    others = " Vos autres sessions ont été fermées." if ended else ""
    sessions.flash(request, f"Votre mot de passe a été changé.{others}")
    return RedirectResponse(home_for(principal.role) or PASSWORD_PATH, status_code=303)
