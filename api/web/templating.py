"""Jinja2 for every server-rendered page: autoescape always, StrictUndefined, French formats.

Each console builds its own `Jinja2Templates` with `make_templates(its_directory)`; the shared
layout (`base.html`), partials and macros of this package stay reachable from all of them.
"""

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from api.web import formatting, sessions

WEB_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = WEB_DIR / "templates"
STATIC_DIR = WEB_DIR / "static"
STATIC_PREFIX = "/static"
APP_NAME = "Vigilance remboursements"

# Pages hold personal data: never cached, never framed, no script or style from elsewhere.
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}


@lru_cache
def static_url(name: str) -> str:
    """The URL of a static file, versioned by its content so browsers never keep a stale one."""
    path = (STATIC_DIR / name).resolve()
    if STATIC_DIR not in path.parents or not path.is_file():
        raise ValueError(f"unknown static file: {name}")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    return f"{STATIC_PREFIX}/{name}?v={digest}"


def _timezone(context: Any) -> str:
    request: Request = context["request"]
    timezone: str = request.app.state.settings.timezone
    return timezone


@pass_context
def _datetime_fr(context: Any, value: Any) -> str:
    return formatting.datetime_fr(value, _timezone(context))


@pass_context
def _local_date(context: Any, value: Any) -> str:
    return formatting.date_fr(formatting.local(value, _timezone(context)).date())


def make_environment(*directories: Path) -> Environment:
    env = Environment(
        loader=FileSystemLoader([*directories, TEMPLATES_DIR]),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        number=formatting.number,
        money=formatting.money,
        date_fr=formatting.date_fr,
        datetime_fr=_datetime_fr,
        local_date=_local_date,
        plural=formatting.plural,
    )
    env.globals.update(static_url=static_url, app_name=APP_NAME)
    return env


def make_templates(*directories: Path) -> Jinja2Templates:
    return Jinja2Templates(env=make_environment(*directories))


def render(
    templates: Jinja2Templates,
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
) -> HTMLResponse:
    """A page with what the layout needs: who is signed in, the CSRF token, pending messages."""
    full: dict[str, Any] = {
        "principal": getattr(request.state, "principal", None),
        "csrf_token": sessions.csrf_token(request),
        "messages": sessions.pop_messages(request),
        **(context or {}),
    }
    return templates.TemplateResponse(
        request, name, full, status_code=status_code, headers=PAGE_HEADERS
    )


templates = make_templates()
