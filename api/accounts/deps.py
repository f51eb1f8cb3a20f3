"""Authentication and role checks, as dependencies every route declares.

Default deny for the assistant: an `assistant` token (the action server acting for a
policyholder) is refused with a 403 by `PrincipalDep` and so by every role dependency built on
it; only the routes that declare `AssistantOrPolicyholderDep` or `AssistantOrReaderDep` accept
it. A `chat` token is never a credential here.
"""

import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from api.accounts import auth_sessions
from api.accounts.auth_sessions import AccountRef
from api.accounts.models import Role
from api.accounts.service import Principal, load_principal
from api.accounts.signin import Guard
from api.accounts.throttle import DatabaseThrottle, Rules, Throttle
from api.accounts.throttle_redis import RedisThrottle, client_for
from api.core.config import Settings
from api.core.db import SessionDep
from api.core.errors import Forbidden, NotAuthenticated
from api.core.security import InvalidToken, TokenClaims, decode_token, peek_token_type
from contract import tokens as contract

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)

SESSION_INVALID = "Votre session n'est pas valide ou a expiré : reconnectez-vous."
ASSISTANT_REFUSED = (
    "Cette action n'est pas possible depuis l'assistant\u00a0: faites-la depuis votre compte."
)


# Pure-CPU dependencies are `async def`: FastAPI then runs them on the event loop instead of
# sending each to the thread pool (a measurable share of a request's time).
async def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


def _read_token(token: str, settings: Settings, now: float) -> TokenClaims:
    """An access token (SECRET_KEY) or an assistant token (the service key), all rules applied."""
    token_type = peek_token_type(token)
    if token_type == contract.ACCESS:
        key, max_seconds = settings.signing_key, settings.access_token_minutes * 60
    elif token_type == contract.ASSISTANT:
        key, max_seconds = settings.service_key, contract.ASSISTANT_TOKEN_SECONDS
    else:  # a chat token, or anything else: never a credential of the API
        raise InvalidToken("not a credential of the API")
    claims = decode_token(token, token_type=token_type, key=key, max_seconds=max_seconds, now=now)
    if token_type == contract.ASSISTANT and claims.role != contract.POLICYHOLDER_ROLE:
        raise InvalidToken("assistant tokens act for policyholders only")
    return claims


def get_caller(
    session: SessionDep,
    settings: SettingsDep,
    token: Annotated[str | None, Depends(oauth2_scheme)],
) -> Principal:
    """Whoever the bearer token names, the assistant included, with an open session."""
    if not token:
        raise NotAuthenticated("Authentification requise : connectez-vous pour continuer.")
    now = time.time()
    try:
        claims = _read_token(token, settings, now)
    except InvalidToken:
        raise NotAuthenticated(SESSION_INVALID) from None
    account = AccountRef.for_role(claims.role, claims.subject)
    if claims.type == contract.ASSISTANT:
        record = auth_sessions.open_record_for_conversation(
            session=session, conversation=claims.session_id, account=account, now=now
        )
    else:
        record = auth_sessions.open_record(
            session=session, session_id=claims.session_id, account=account, now=now
        )
    principal = load_principal(
        session=session, subject=claims.subject, role=claims.role, demo=settings.demo
    )
    if record is None or principal is None:
        raise NotAuthenticated(SESSION_INVALID)
    assistant = claims.type == contract.ASSISTANT
    return replace(
        principal,
        via_assistant=assistant,
        # The conversation id an assistant token carries is no session id of the caller's.
        session_id=None if assistant else claims.session_id,
        session_expires_at=record.expires_at,
    )


CallerDep = Annotated[Principal, Depends(get_caller)]


async def get_principal(caller: CallerDep) -> Principal:
    """The caller with an access token of their own (every route's default)."""
    if caller.via_assistant:
        raise Forbidden(ASSISTANT_REFUSED)
    return caller


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def require_roles(
    *roles: Role, assistant: bool = False
) -> Callable[[Principal], Awaitable[Principal]]:
    """One of `roles`; with `assistant=True` the action server acting for a policyholder too."""

    async def _check(principal: PrincipalDep) -> Principal:
        if principal.role not in roles:
            raise Forbidden("Votre compte ne permet pas cette action.")
        return principal

    async def _check_with_assistant(caller: CallerDep) -> Principal:
        if not caller.via_assistant and caller.role not in roles:
            raise Forbidden("Votre compte ne permet pas cette action.")
        return caller

    if assistant and Role.POLICYHOLDER not in roles:
        raise ValueError("the assistant acts for policyholders: include Role.POLICYHOLDER")
    return _check_with_assistant if assistant else _check


PolicyholderDep = Annotated[Principal, Depends(require_roles(Role.POLICYHOLDER))]
AgentDep = Annotated[Principal, Depends(require_roles(Role.AGENT, Role.ADMIN))]
AdminDep = Annotated[Principal, Depends(require_roles(Role.ADMIN))]
ClaimReaderDep = Annotated[
    Principal, Depends(require_roles(Role.POLICYHOLDER, Role.AGENT, Role.ADMIN))
]
# The routes the assistant needs opt in with these (claims list/get/match, reports
# list/get/file, report complements); every other route refuses its token.
AssistantOrPolicyholderDep = Annotated[
    Principal, Depends(require_roles(Role.POLICYHOLDER, assistant=True))
]
AssistantOrReaderDep = Annotated[
    Principal,
    Depends(require_roles(Role.POLICYHOLDER, Role.AGENT, Role.ADMIN, assistant=True)),
]


def make_throttle(settings: Settings, session: SessionDep) -> Throttle:
    """Redis when REDIS_URL is set (every API host shares it), else the database."""
    rules = Rules.from_settings(settings)
    if settings.redis_url:
        client = client_for(settings.redis_url)
        return RedisThrottle(client, rules, prefix=settings.redis_key_prefix)
    return DatabaseThrottle(session, rules)


def get_guard(request: Request, session: SessionDep, settings: SettingsDep) -> Guard:
    clock: Callable[[], float] = getattr(request.app.state, "throttle_clock", time.time)
    return Guard(
        throttle=make_throttle(settings, session),
        secret=settings.signing_key,
        timezone=settings.timezone,
        clock=clock,
    )


GuardDep = Annotated[Guard, Depends(get_guard)]


async def get_client_address(request: Request) -> str:
    """The client's address (uvicorn puts X-Forwarded-For's there, from FORWARDED_ALLOW_IPS)."""
    return request.client.host if request.client else "unknown"


ClientAddressDep = Annotated[str, Depends(get_client_address)]
