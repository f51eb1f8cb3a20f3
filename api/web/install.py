"""Plug the web pages into the app: signed session cookie, static files, error pages, sign-in."""

import hashlib

from fastapi import FastAPI
from starlette.middleware.sessions import SessionMiddleware
from starlette.staticfiles import StaticFiles

from api.core.config import Settings
from api.web.auth import router as auth_router
from api.web.errors import install_page_errors
from api.web.templating import STATIC_DIR, STATIC_PREFIX

SESSION_COOKIE = "vigilance_session"


def session_key(settings: Settings) -> str:
    """A key of its own for the cookie, derived from SECRET_KEY (tokens use SECRET_KEY itself)."""
    return hashlib.sha256(b"vigilance-web-session:" + settings.signing_key.encode()).hexdigest()


def install_web(app: FastAPI, settings: Settings) -> None:
    app.add_middleware(
        SessionMiddleware,
        secret_key=session_key(settings),
        session_cookie=SESSION_COOKIE,
        max_age=settings.session_minutes * 60,
        same_site="lax",
        https_only=settings.cookie_secure,
    )
    app.mount(STATIC_PREFIX, StaticFiles(directory=STATIC_DIR), name="static")
    install_page_errors(app)
    app.include_router(auth_router)
