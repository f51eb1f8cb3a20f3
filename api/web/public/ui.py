"""The public pages' templates and addresses: open to anyone, signed in or not."""

from pathlib import Path
from typing import Any

from fastapi import Request
from starlette.responses import HTMLResponse

from api.web.templating import make_templates, render

templates = make_templates(Path(__file__).resolve().parent / "templates")

HOME_PATH = "/"
ACCESSIBILITY_PATH = "/accessibilite"
PRIVACY_PATH = "/donnees-personnelles"
FORGOT_PATH = "/mot-de-passe-oublie"
FORGOT_SENT_PATH = "/mot-de-passe-oublie/envoye"
RESET_PATH = "/mot-de-passe-oublie/nouveau"


def page(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """A public page, with the headers of every page (and any extra, e.g. Retry-After)."""
    response = render(templates, request, f"public/{name}", context, status_code=status_code)
    response.headers.update(headers or {})
    return response
