"""Authentication and role checks, as dependencies every route declares."""

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from api.accounts.models import Role
from api.accounts.service import Principal, load_principal
from api.core.config import Settings
from api.core.db import SessionDep
from api.core.errors import Forbidden, NotAuthenticated
from api.core.security import InvalidToken, decode_access_token

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


# Pure-CPU dependencies are `async def`: FastAPI then runs them on the event loop instead of
# sending each to the thread pool (a measurable share of a request's time).
async def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


def get_principal(
    session: SessionDep,
    settings: SettingsDep,
    token: Annotated[str | None, Depends(oauth2_scheme)],
) -> Principal:
    if not token:
        raise NotAuthenticated("Authentification requise : connectez-vous pour continuer.")
    try:
        claims = decode_access_token(token, secret=settings.signing_key)
    except InvalidToken:
        raise NotAuthenticated(
            "Votre session n'est pas valide ou a expiré : reconnectez-vous."
        ) from None
    principal = load_principal(
        session=session, subject=claims.subject, role=claims.role, demo=settings.demo
    )
    if principal is None:
        raise NotAuthenticated("Votre session n'est pas valide ou a expiré : reconnectez-vous.")
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def require_roles(*roles: Role) -> Callable[[Principal], Awaitable[Principal]]:
    async def _check(principal: PrincipalDep) -> Principal:
        if principal.role not in roles:
            raise Forbidden("Votre compte ne permet pas cette action.")
        return principal

    return _check


PolicyholderDep = Annotated[Principal, Depends(require_roles(Role.POLICYHOLDER))]
AgentDep = Annotated[Principal, Depends(require_roles(Role.AGENT, Role.ADMIN))]
AdminDep = Annotated[Principal, Depends(require_roles(Role.ADMIN))]
ClaimReaderDep = Annotated[
    Principal, Depends(require_roles(Role.POLICYHOLDER, Role.AGENT, Role.ADMIN))
]
