"""What the forgotten-password forms post: ask for a link, then set the new password with it."""

import time
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Form, Request
from starlette.responses import RedirectResponse, Response

from api.accounts import password_reset, reset_mail
from api.accounts.deps import ClientAddressDep, GuardDep, SettingsDep
from api.accounts.password_reset import IDENTIFIER_MAX, ResetLinkRefused, TooManyResetRequests
from api.core.db import SessionDep
from api.core.errors import InvalidInput
from api.web import sessions
from api.web.auth import CONFIRMATION_MISMATCH
from api.web.deps import CsrfDep
from api.web.errors import LOGIN_PATH
from api.web.public.pages import forgot_page, link_refused, reset_page
from api.web.public.ui import FORGOT_PATH, FORGOT_SENT_PATH, RESET_PATH

router = APIRouter(dependencies=[CsrfDep])

IDENTIFIER_MISSING = "Saisissez votre identifiant ou l'adresse électronique de votre compte."


@router.post(FORGOT_PATH)
def ask_for_link(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    guard: GuardDep,
    address: ClientAddressDep,
    background: BackgroundTasks,
    identifier: Annotated[str, Form()] = "",
) -> Response:
    """The same answer whether an account matched or not; the email leaves after it."""
    identifier = identifier.strip()
    if not identifier or len(identifier) > IDENTIFIER_MAX:
        shown = identifier[:IDENTIFIER_MAX]
        return forgot_page(request, identifier=shown, error=IDENTIFIER_MISSING, status_code=400)
    try:
        letters = password_reset.request_reset(
            session=session,
            guard=guard,
            identifier=identifier,
            address=address,
            demo=settings.demo,
            now=time.time(),
        )
    except TooManyResetRequests as exc:  # rendered, not raised: the count is kept
        return forgot_page(
            request,
            identifier=identifier,
            error=exc.message,
            status_code=exc.status_code,
            headers=exc.headers,
        )
    if letters:
        background.add_task(
            reset_mail.send_reset_emails,
            letters,
            settings=settings,
            path=RESET_PATH,
            now=datetime.now(UTC),
        )
    return RedirectResponse(FORGOT_SENT_PATH, status_code=303)


@router.post(RESET_PATH)
def set_new_password(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    guard: GuardDep,
    jeton: Annotated[str, Form()] = "",
    new_password: Annotated[str, Form()] = "",
    confirmation: Annotated[str, Form()] = "",
) -> Response:
    now = time.time()
    try:
        password_reset.check_link(
            session=session, token=jeton, secret=guard.secret, demo=settings.demo, now=now
        )
        if new_password != confirmation:
            errors = {"confirmation": CONFIRMATION_MISMATCH}
            return reset_page(request, token=jeton, errors=errors, status_code=400)
        password_reset.reset_password(
            session=session,
            guard=guard,
            token=jeton,
            new_password=new_password,
            demo=settings.demo,
            now=now,
        )
    except ResetLinkRefused as exc:
        return link_refused(request, exc)
    except InvalidInput as exc:
        errors = {exc.field or "new_password": exc.message}
        return reset_page(request, token=jeton, errors=errors, status_code=400)
    sessions.end(request)  # whoever was signed in here: every session of the account is over
    sessions.flash(
        request, "Votre mot de passe a été changé. Connectez-vous avec le nouveau.", "success"
    )
    return RedirectResponse(LOGIN_PATH, status_code=303)
