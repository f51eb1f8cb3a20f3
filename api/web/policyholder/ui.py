"""The account pages' templates, the access rule, and what the chat widget needs from the page."""

import time
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import Depends, Request
from starlette.responses import HTMLResponse

from api.accounts import tokens
from api.accounts.models import Role
from api.accounts.service import Principal
from api.core.config import Settings
from api.web.deps import require_page_roles
from api.web.templating import PAGE_HEADERS, make_templates, render

PREFIX = "/compte"
templates = make_templates(Path(__file__).resolve().parent / "templates")

require_policyholder = require_page_roles(Role.POLICYHOLDER)
PolicyholderPageDep = Annotated[Principal, Depends(require_policyholder)]


def assistant_origins(assistant_url: str) -> str:
    """The assistant's origin for the CSP's connect-src, over HTTP(S) and WebSocket."""
    parts = urlsplit(assistant_url)
    socket_scheme = "wss" if parts.scheme == "https" else "ws"
    return f"{parts.scheme}://{parts.netloc} {socket_scheme}://{parts.netloc}"


def widget_token(principal: Principal, settings: Settings) -> str:
    """A chat token for the assistant's channels, bound to this web session (signing out ends
    it): enough for a conversation, renewed by reloading the page. Never an API credential."""
    token, _seconds = tokens.chat_token(principal, key=settings.channel_key, now=int(time.time()))
    return token


def page(request: Request, name: str, context: dict[str, Any]) -> HTMLResponse:
    """An account page: the widget may open a socket to the assistant, and to nothing else."""
    settings: Settings = request.app.state.settings
    response = render(templates, request, name, context)
    csp = PAGE_HEADERS["Content-Security-Policy"]
    connect = f"connect-src 'self' {assistant_origins(settings.assistant_url)}"
    response.headers["Content-Security-Policy"] = f"{csp}; {connect}"
    return response
