"""/docs: Swagger UI from the project's own copy (`make vendor`), never from a CDN.

The page's CSP allows scripts from this site only, plus Swagger UI's one inline start-up
script, named by its SHA-256 hash (computed from the very HTML sent, so it cannot drift).
"""

import base64
import hashlib
import re

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from starlette.responses import HTMLResponse, Response

from api.web.errors import bare_error_page
from api.web.templating import static_url

DOCS_PATH = "/docs"
SWAGGER_DIR = "vendor/swagger-ui"
ASSETS = ("swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png")
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)
MISSING = (
    "La documentation de l'API n'est pas installée sur ce serveur : "
    "ses fichiers viennent de « make vendor »."
)


def _asset_urls() -> list[str] | None:
    try:
        return [static_url(f"{SWAGGER_DIR}/{name}") for name in ASSETS]
    except ValueError:
        return None


def _script_hashes(html: str) -> str:
    return " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"
        for script in _INLINE_SCRIPT.findall(html)
    )


def docs_csp(html: str) -> str:
    return (
        f"default-src 'self'; script-src 'self' {_script_hashes(html)}; style-src 'self'; "
        "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    )


def install_docs(app: FastAPI) -> None:
    openapi_url = app.openapi_url or "/openapi.json"

    @app.get(DOCS_PATH, include_in_schema=False)
    def swagger_ui(request: Request) -> Response:
        urls = _asset_urls()
        if urls is None:
            return bare_error_page(request.scope, 503, "Documentation indisponible", MISSING)
        script, css, icon = urls
        page = get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} – documentation de l'API",
            swagger_js_url=script,
            swagger_css_url=css,
            swagger_favicon_url=icon,
            oauth2_redirect_url=None,
            # The validator badge would send the specification to another site.
            swagger_ui_parameters={"validatorUrl": None},
        )
        html = bytes(page.body).decode()
        return HTMLResponse(html, headers={"Content-Security-Policy": docs_csp(html)})
