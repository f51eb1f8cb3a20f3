"""/docs: Swagger UI from the project's own copy, under a CSP that allows only this site.

The browser test loads it in Chromium: every request stays on the server's origin, the CSP
refuses nothing (a refusal is a console error, which fails the page), the operations show.
"""

import base64
import hashlib
import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page, Request, expect

from tests.browser import watched_page
from tests.web.markup import parse


def test_docs_serve_the_vendored_swagger_ui_under_a_strict_csp(client: TestClient) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    page = parse(response.text)
    sources = [s.attrs["src"] for s in page.find_all("script") if "src" in s.attrs]
    links = [link.attrs["href"] for link in page.find_all("link")]
    assert [urlsplit(url).path for url in sources + links] == [
        "/static/vendor/swagger-ui/swagger-ui-bundle.js",
        "/static/vendor/swagger-ui/swagger-ui.css",
        "/static/vendor/swagger-ui/favicon-32x32.png",
    ]
    assert "http" not in response.text.replace("http-equiv", "")
    for url in sources + links:
        asset = client.get(url)
        assert asset.status_code == 200 and asset.content, url
    csp = response.headers["content-security-policy"]
    inline = re.findall(r"<script>(.*?)</script>", response.text, re.DOTALL)
    digest = base64.b64encode(hashlib.sha256(inline[0].encode()).digest()).decode()
    assert f"script-src 'self' 'sha256-{digest}';" in csp
    assert "unsafe" not in csp and "https:" not in csp and "*" not in csp
    assert "frame-ancestors 'none'" in csp
    assert '"validatorUrl": null' in inline[0]


def test_redoc_and_the_oauth_redirect_page_are_gone(client: TestClient) -> None:
    """ReDoc loads its script from a CDN; the password flow needs no redirect page."""
    assert client.get("/redoc").status_code == 404
    assert client.get("/docs/oauth2-redirect").status_code == 404


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    with watched_page(browser, timeout_ms=20_000) as tab:
        yield tab


@pytest.mark.browser
def test_docs_in_chromium_load_nothing_from_elsewhere_and_list_the_operations(
    page: Page, live_server: str, app: FastAPI
) -> None:
    operations = sum(len(methods) for methods in app.openapi()["paths"].values())
    requested: list[str] = []

    def record(request: Request) -> None:
        requested.append(request.url)

    page.on("request", record)
    page.goto(f"{live_server}/docs")
    expect(page.get_by_text("/api/v1/claims/match")).to_be_visible()
    expect(page.get_by_text("Retrouver un remboursement")).to_be_visible()
    expect(page.locator(".opblock")).to_have_count(operations)
    origins = {f"{urlsplit(url).scheme}://{urlsplit(url).netloc}" for url in requested}
    assert origins == {live_server}, requested
    assert any(url.endswith("/openapi.json") for url in requested)
