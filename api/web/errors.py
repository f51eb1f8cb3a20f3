"""What a page answers when it cannot be shown: the sign-in page, or a French error page."""

from urllib.parse import urlencode

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from api.web.templating import render, templates

LOGIN_PATH = "/connexion"


class PageError(Exception):
    """An error shown as an HTML page (the JSON API keeps its own error bodies)."""

    status_code = 400
    title = "Requête incorrecte"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PageForbidden(PageError):
    status_code = 403
    title = "Accès refusé"


class PageNotFound(PageError):
    status_code = 404
    title = "Page introuvable"


class LoginRequired(Exception):
    """Nobody is signed in: go to the sign-in page, then come back to `next_path`."""

    def __init__(self, next_path: str | None) -> None:
        super().__init__("login required")
        self.next_path = next_path


def login_url(next_path: str | None) -> str:
    return f"{LOGIN_PATH}?{urlencode({'next': next_path})}" if next_path else LOGIN_PATH


def install_page_errors(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def _login_required(_request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse(login_url(exc.next_path), status_code=303)

    @app.exception_handler(PageError)
    async def _page_error(request: Request, exc: PageError) -> Response:
        context = {"title": exc.title, "message": exc.message}
        return render(templates, request, "error.html", context, status_code=exc.status_code)
