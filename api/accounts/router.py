from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.security import OAuth2PasswordRequestForm

from api.accounts import service
from api.accounts.deps import PrincipalDep, SettingsDep
from api.accounts.schemas import Me, Token
from api.core.db import SessionDep
from api.core.errors import NotAuthenticated
from api.core.security import create_access_token

router = APIRouter(tags=["comptes"])


@router.post("/auth/token", response_model=Token, summary="Obtenir un jeton d'accès")
def issue_token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    session: SessionDep,
    settings: SettingsDep,
) -> Token:
    principal = service.authenticate(
        session=session, username=form.username, password=form.password, demo=settings.demo
    )
    if principal is None:
        raise NotAuthenticated("Identifiant ou mot de passe incorrect.")
    token = create_access_token(
        subject=principal.id,
        role=principal.role,
        secret=settings.signing_key,
        minutes=settings.access_token_minutes,
    )
    return Token(access_token=token, expires_in=settings.access_token_minutes * 60)


@router.get("/auth/me", response_model=Me, summary="Le compte connecté")
def who_am_i(principal: PrincipalDep) -> Me:
    return Me(id=principal.id, role=principal.role, display_name=principal.display_name)
