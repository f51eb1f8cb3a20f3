"""What anyone is shown: the home page, the two statements, the forgotten-password forms."""

import time
from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from api.accounts import password_reset
from api.accounts.deps import SettingsDep
from api.accounts.password_reset import ResetLinkRefused
from api.accounts.reset_tokens import LIFETIME_SECONDS, TOKEN_MAX
from api.core.config import Settings
from api.core.db import SessionDep
from api.web.deps import OptionalPrincipalDep
from api.web.formatting import plural
from api.web.navigation import home_for
from api.web.public.ui import (
    ACCESSIBILITY_PATH,
    FORGOT_PATH,
    FORGOT_SENT_PATH,
    HOME_PATH,
    PRIVACY_PATH,
    RESET_PATH,
    page,
)

router = APIRouter()

# The token may come in the address of the emailed link: not sent on as a Referer.
NO_REFERRER = {"Referrer-Policy": "no-referrer"}


@router.get(HOME_PATH)
def home(request: Request, principal: OptionalPrincipalDep) -> Response:
    space = home_for(principal.role) if principal is not None else None
    return page(request, "home.html", {"space": space})


@router.get(ACCESSIBILITY_PATH)
def accessibility(request: Request, _principal: OptionalPrincipalDep) -> Response:
    return page(request, "accessibility.html")


def duration(days: int) -> str:
    """« 180 jours (environ 6 mois) », « 1 826 jours (environ 5 ans) »: the setting, read."""
    if days >= 365:
        years = round(days / 365.25)
        return f"{plural(days, 'jour')} (environ {plural(years, 'an')})"
    if days >= 60:
        return f"{plural(days, 'jour')} (environ {round(days / 30.44)}\u00a0mois)"
    return plural(days, "jour")


def retention(settings: Settings) -> dict[str, str]:
    return {
        "report": duration(settings.report_retention_days),
        "conversation": duration(settings.conversation_retention_days),
        "notification": duration(settings.notification_retention_days),
        "security": duration(settings.security_event_retention_days),
    }


@router.get(PRIVACY_PATH)
def privacy(request: Request, settings: SettingsDep, _principal: OptionalPrincipalDep) -> Response:
    return page(request, "privacy.html", {"retention": retention(settings)})


def forgot_page(
    request: Request,
    *,
    identifier: str = "",
    error: str | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    context = {"identifier": identifier, "error": error}
    return page(request, "forgot.html", context, status_code=status_code, headers=headers)


@router.get(FORGOT_PATH)
def forgot_form(request: Request, _principal: OptionalPrincipalDep) -> Response:
    return forgot_page(request)


@router.get(FORGOT_SENT_PATH)
def forgot_sent(request: Request, _principal: OptionalPrincipalDep) -> Response:
    return page(request, "forgot_sent.html", {"minutes": LIFETIME_SECONDS // 60})


def link_refused(request: Request, exc: ResetLinkRefused) -> Response:
    """The French page of a link expired, used or forged, with the way to ask again."""
    context = {"title": exc.title, "message": exc.message}
    return page(request, "reset_refused.html", context, status_code=exc.status_code)


def reset_page(
    request: Request, *, token: str, errors: dict[str, str] | None = None, status_code: int = 200
) -> Response:
    context = {"token": token, "errors": errors or {}}
    return page(request, "reset.html", context, status_code=status_code, headers=NO_REFERRER)


@router.get(RESET_PATH)
def reset_form(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    _principal: OptionalPrincipalDep,
    jeton: Annotated[str, Query(max_length=TOKEN_MAX * 2)] = "",
) -> Response:
    """The emailed link: checked before anyone types a new password for nothing."""
    try:
        password_reset.check_link(
            session=session,
            token=jeton,
            secret=settings.signing_key,
            demo=settings.demo,
            now=time.time(),
        )
    except ResetLinkRefused as exc:
        response = link_refused(request, exc)
        response.headers.update(NO_REFERRER)
        return response
    return reset_page(request, token=jeton)
