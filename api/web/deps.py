"""Who is signed in on a page, role checks, and the CSRF check of every form."""

import hmac
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Annotated

from fastapi import Depends, Form, Request

from api.accounts import auth_sessions
from api.accounts.auth_sessions import AccountRef
from api.accounts.deps import SettingsDep
from api.accounts.models import Role
from api.accounts.service import Principal, load_principal
from api.core.db import SessionDep
from api.core.errors import Forbidden
from api.web import sessions
from api.web.errors import LoginRequired
from api.web.navigation import safe_next

CSRF_FIELD = "csrf_token"
CSRF_REFUSED = (
    "Ce formulaire a expiré ou ne vient pas de cette page. Rechargez la page puis recommencez."
)
WRONG_ROLE = "Votre compte ne donne pas accès à ces pages."


def _requested_path(request: Request) -> str | None:
    """The page to come back to after signing in (only pages: a form cannot be replayed)."""
    if request.method != "GET":
        return None
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return safe_next(path)


def get_optional_principal(
    request: Request, session: SessionDep, settings: SettingsDep
) -> Principal | None:
    """The signed-in account, if its session is still open (one primary-key read, no write)
    and the account may still sign in (a deactivated account is out at once)."""
    found = sessions.identity(request)
    if found is None:
        return None
    account_id, role, session_id = found
    record = auth_sessions.open_record(
        session=session,
        session_id=session_id,
        account=AccountRef.for_role(role, account_id),
        now=time.time(),
    )
    principal = (
        load_principal(session=session, subject=account_id, role=role, demo=settings.demo)
        if record is not None
        else None
    )
    if record is None or principal is None:
        sessions.end(request)
        return None
    principal = replace(principal, session_id=session_id, session_expires_at=record.expires_at)
    sessions.touch(request)
    request.state.principal = principal
    return principal


OptionalPrincipalDep = Annotated[Principal | None, Depends(get_optional_principal)]


def get_page_principal(request: Request, principal: OptionalPrincipalDep) -> Principal:
    if principal is None:
        raise LoginRequired(_requested_path(request))
    return principal


PagePrincipalDep = Annotated[Principal, Depends(get_page_principal)]


def require_page_roles(*roles: Role) -> Callable[[Principal], Principal]:
    def _check(principal: PagePrincipalDep) -> Principal:
        if principal.role not in roles:
            raise Forbidden(WRONG_ROLE)
        return principal

    return _check


def check_csrf(request: Request, csrf_token: Annotated[str | None, Form()] = None) -> None:
    """Every POST carries the session's token in a hidden field."""
    expected = request.session.get(sessions.CSRF_KEY)
    if (
        not isinstance(expected, str)
        or not csrf_token
        or not hmac.compare_digest(csrf_token.encode(), expected.encode())
    ):
        raise Forbidden(CSRF_REFUSED)


CsrfDep = Depends(check_csrf)
