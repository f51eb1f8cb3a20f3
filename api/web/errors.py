"""What a page answers when it cannot be shown: the sign-in page, or a French error page.

Pages raise the domain's own errors (api/core/errors.py): one handler answers each with the
API's JSON body under the JSON addresses and with a French error page everywhere else."""

from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.types import Scope

from api.core.errors import DomainError, error_body, error_response, http_error_response
from api.core.input_guard import Refusal, json_refusal
from api.web.templating import PAGE_HEADERS, render, templates

LOGIN_PATH = "/connexion"
# Addresses that answer JSON, errors included; every other address is a page.
JSON_PATHS = ("/api/", "/internal/", "/healthz", "/openapi.json")
UNEXPECTED = "Une erreur inattendue s'est produite : réessayez dans un instant."
# Starlette's refusals on a page address (a mistyped address above all): a page, not JSON.
PAGE_REFUSALS = {
    404: (
        "Page introuvable",
        "Cette page n'existe pas. Vérifiez l'adresse, ou repartez de l'accueil.",
    ),
    405: ("Action impossible", "Cette page ne permet pas cette action. Repartez de l'accueil."),
}


class LoginRequired(Exception):
    """Nobody is signed in: go to the sign-in page, then come back to `next_path`."""

    def __init__(self, next_path: str | None) -> None:
        super().__init__("login required")
        self.next_path = next_path


def login_url(next_path: str | None) -> str:
    return f"{LOGIN_PATH}?{urlencode({'next': next_path})}" if next_path else LOGIN_PATH


def answers_json(path: str) -> bool:
    return path.startswith(JSON_PATHS) or path == JSON_PATHS[0].rstrip("/")


def bare_error_page(scope: Scope, status_code: int, title: str, message: str) -> HTMLResponse:
    """A French error page that needs no session: for refusals made before or outside the
    session middleware (bad input, an unexpected error)."""
    context: dict[str, Any] = {
        "title": title,
        "message": message,
        "principal": None,
        "csrf_token": "",
        "messages": [],
    }
    return templates.TemplateResponse(
        Request(scope), "error.html", context, status_code=status_code, headers=PAGE_HEADERS
    )


def refusal(scope: Scope, refused: Refusal) -> Response:
    """A request refused before any route ran: the API's JSON error, or a page."""
    if answers_json(scope["path"]):
        return json_refusal(scope, refused)
    status = 400 if refused.status == 422 else refused.status
    return bare_error_page(scope, status, "Requête incorrecte", refused.message)


async def unexpected_error(request: Request, _exc: Exception) -> Response:
    """What an unexpected error answers (the error itself goes to the server's log)."""
    if answers_json(request.url.path):
        return JSONResponse(error_body(UNEXPECTED, "internal_error"), status_code=500)
    return bare_error_page(request.scope, 500, "Erreur inattendue", UNEXPECTED)


def install_page_errors(app: FastAPI) -> None:
    app.add_exception_handler(Exception, unexpected_error)

    @app.exception_handler(LoginRequired)
    async def _login_required(_request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse(login_url(exc.next_path), status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        page = not (answers_json(request.url.path) or request.url.path.startswith("/static/"))
        if not page or exc.status_code not in PAGE_REFUSALS:
            return http_error_response(exc)
        title, message = PAGE_REFUSALS[exc.status_code]
        context = {"title": title, "message": message}
        return render(templates, request, "error.html", context, status_code=exc.status_code)

    @app.exception_handler(DomainError)
    async def _domain_error(request: Request, exc: DomainError) -> Response:
        if answers_json(request.url.path):
            return error_response(exc)
        context = {"title": exc.title, "message": exc.message}
        return render(templates, request, "error.html", context, status_code=exc.status_code)
