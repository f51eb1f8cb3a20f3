import time
from enum import Enum
from typing import Annotated

from fastapi import APIRouter, Depends, Response, status
from fastapi.security import OAuth2PasswordRequestForm
from starlette.responses import JSONResponse

from api.accounts import auth_sessions, signin, tokens
from api.accounts.admin_router import router as admin_router
from api.accounts.deps import (
    ClientAddressDep,
    GuardDep,
    PolicyholderDep,
    PrincipalDep,
    SettingsDep,
)
from api.accounts.models import EndReason, SessionOrigin
from api.accounts.schemas import ChatToken, Me, PasswordChange, Token
from api.core.db import SessionDep
from api.core.errors import DomainError, NotAuthenticated, error_response

# Each route names its own section of /docs (an operation with two tags is listed twice).
router = APIRouter()
ACCOUNTS: list[str | Enum] = ["comptes"]

REFUSALS = {
    401: {"description": "Identifiant ou mot de passe incorrect"},
    429: {"description": "Trop de tentatives : réessayer après `Retry-After` secondes"},
}


@router.post(
    "/auth/token",
    tags=ACCOUNTS,
    response_model=Token,
    summary="Obtenir un jeton d'accès",
    responses=REFUSALS,  # type: ignore[arg-type]
)
def issue_token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    session: SessionDep,
    settings: SettingsDep,
    guard: GuardDep,
    address: ClientAddressDep,
) -> Token | JSONResponse:
    """Opens a session that ends with the token (or at `POST /auth/logout`)."""
    now = int(time.time())
    seconds = settings.access_token_minutes * 60
    if len(form.username) > signin.USERNAME_MAX or len(form.password) > signin.PASSWORD_INPUT_MAX:
        return error_response(NotAuthenticated(signin.BAD_CREDENTIALS))
    try:
        signed_in = signin.sign_in(
            session=session,
            guard=guard,
            username=form.username,
            password=form.password,
            address=address,
            demo=settings.demo,
            origin=SessionOrigin.API,
            seconds=seconds,
            now=now,
        )
    except DomainError as exc:
        return error_response(exc)  # returned, not raised: the failure counted is kept
    token, expires_in = tokens.access_token(signed_in, key=settings.signing_key, now=now)
    return Token(access_token=token, expires_in=expires_in)


@router.post(
    "/auth/logout",
    tags=ACCOUNTS,
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Se déconnecter (le jeton ne vaut plus rien)",
)
def logout(session: SessionDep, principal: PrincipalDep) -> Response:
    assert principal.session_id is not None
    auth_sessions.end_session(
        session=session,
        session_id=principal.session_id,
        reason=EndReason.SIGNED_OUT,
        now=time.time(),
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/auth/password",
    tags=ACCOUNTS,
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Changer de mot de passe (les autres sessions se ferment)",
    responses={422: {"description": "Mot de passe refusé"}, 429: REFUSALS[429]},
)
def change_password(
    data: PasswordChange,
    session: SessionDep,
    principal: PrincipalDep,
    guard: GuardDep,
    address: ClientAddressDep,
) -> Response:
    try:
        signin.change_password(
            session=session,
            guard=guard,
            principal=principal,
            current_password=data.current_password,
            new_password=data.new_password,
            address=address,
            now=time.time(),
        )
    except DomainError as exc:
        return error_response(exc)  # the wrong current password counted is kept
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/auth/me", tags=ACCOUNTS, response_model=Me, summary="Le compte connecté")
def who_am_i(principal: PrincipalDep) -> Me:
    return Me(id=principal.id, role=principal.role, display_name=principal.display_name)


@router.post(
    "/assistant/chat-token",
    response_model=ChatToken,
    summary="Obtenir un jeton pour l'assistant",
    tags=["assistant"],
)
def issue_chat_token(principal: PolicyholderDep, settings: SettingsDep) -> ChatToken:
    """For the assistant's channels, bound to this session: signing out ends it too."""
    token, seconds = tokens.chat_token(principal, key=settings.channel_key, now=int(time.time()))
    return ChatToken(chat_token=token, expires_in=seconds)


router.include_router(admin_router)
