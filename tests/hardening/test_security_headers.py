"""Every kind of answer carries the security headers: JSON, errors (401, 404, 405, 413, 422,
the input guard's, an unexpected 500), pages, redirects, the CSV export, static files, /docs."""

import json
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.accounts.models import StaffRole
from api.core.config import Settings
from api.main import create_app
from tests.factories import Factory
from tests.web.helpers import login
from tests.web.markup import parse

EVERYWHERE = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "permissions-policy": (
        "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
        "microphone=(), payment=(), usb=()"
    ),
}
HSTS = "max-age=31536000; includeSubDomains"


def assert_secured(response: httpx.Response, *, static: bool = False, hsts: bool = False) -> None:
    label = f"{response.request.method} {response.request.url.path} {response.status_code}"
    for name, value in EVERYWHERE.items():
        assert response.headers.get(name) == value, (label, name)
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"], label
    assert response.headers["referrer-policy"] in ("no-referrer", "same-origin"), label
    cache = response.headers.get("cache-control", "")
    assert ("no-store" not in cache) if static else (cache == "no-store"), (label, cache)
    assert response.headers.get("strict-transport-security") == (HSTS if hsts else None), label


@pytest.fixture
def failing_app(settings: Settings) -> Iterator[FastAPI]:
    """The app with two routes that fail unexpectedly, one in the API and one page."""
    application = create_app(settings)

    @application.get("/api/v1/panne")
    def api_failure() -> None:
        raise RuntimeError("panne")

    @application.get("/panne")
    def page_failure() -> None:
        raise RuntimeError("panne")

    yield application
    application.state.engine.dispose()


def test_json_answers_and_errors_carry_the_headers(client: TestClient, factory: Factory) -> None:
    admin = factory.auth(factory.staff(StaffRole.ADMIN))
    answers = [
        client.get("/healthz"),
        client.get("/api/v1/auth/me", headers=admin),
        client.get("/api/v1/auth/me"),
        client.get("/api/v1/inconnu"),
        client.delete("/api/v1/claims", headers=admin),
        client.get("/api/v1/claims", params={"limit": 0}, headers=admin),
        client.get("/api/v1/claims", params={"provider": "a\x00"}, headers=admin),
        client.post(
            "/api/v1/reports",
            content=json.dumps({"description": "x" * 300_000}),
            headers={**admin, "Content-Type": "application/json"},
        ),
        client.get("/openapi.json"),
    ]
    assert [a.status_code for a in answers] == [200, 200, 401, 404, 405, 422, 422, 413, 200]
    for answer in answers:
        assert_secured(answer)
        assert answer.headers["referrer-policy"] == "no-referrer"
        assert "default-src 'none'" in answer.headers["content-security-policy"]


def test_pages_keep_their_own_policy_and_get_the_rest(client: TestClient, factory: Factory) -> None:
    anonymous = [client.get("/connexion"), client.get("/agent", follow_redirects=False)]
    assert [a.status_code for a in anonymous] == [200, 303]
    agent = factory.staff(StaffRole.AGENT)
    signed_in = login(client, agent.username)
    answers = [
        *anonymous,
        signed_in,
        client.get("/agent/signalements"),
        client.get("/agent/signalements.csv"),
        client.get("/agent/inconnue"),
        client.get("/agent/signalements", params={"q": "\x00"}),
        client.get("/docs"),
    ]
    assert [a.status_code for a in answers] == [200, 303, 303, 200, 200, 404, 400, 200]
    for answer in answers:
        assert_secured(answer)
    login_page = answers[0]
    assert "script-src 'self';" in login_page.headers["content-security-policy"]
    assert login_page.headers["referrer-policy"] == "same-origin"


def test_static_files_carry_the_headers_and_may_be_cached(client: TestClient) -> None:
    answers = [
        client.get("/static/web.css"),
        client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js"),
        client.get("/static/inconnu.css"),
    ]
    assert [a.status_code for a in answers] == [200, 200, 404]
    for answer in answers:
        assert_secured(answer, static=True)


def test_a_page_names_its_static_files_by_version_and_browsers_keep_them(
    client: TestClient,
) -> None:
    """A versioned file is kept without revalidation: the next page is styled as soon as its
    markup arrives, even on a slow phone. Without a version, the browser asks again."""
    versioned = parse(client.get("/connexion").text).find("link", rel="stylesheet").attrs["href"]
    assert "?v=" in versioned
    kept = client.get(versioned)
    assert kept.status_code == 200
    assert kept.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert client.get("/static/web.css").headers["cache-control"] == "no-cache"
    assert client.get("/static/web.css?v=").headers["cache-control"] == "no-cache"


def test_an_unexpected_error_is_french_and_carries_the_headers(failing_app: FastAPI) -> None:
    with TestClient(failing_app, raise_server_exceptions=False) as client:
        api = client.get("/api/v1/panne")
        page = client.get("/panne")
    assert api.status_code == page.status_code == 500
    assert api.json() == {
        "detail": "Une erreur inattendue s'est produite\u00a0: réessayez dans un instant.",
        "code": "internal_error",
    }
    assert "Une erreur inattendue" in parse(page.text).find("main").text
    for answer in (api, page):
        assert_secured(answer)


def test_hsts_only_when_cookies_are_secure(settings: Settings) -> None:
    application = create_app(settings.model_copy(update={"cookie_secure": True}))
    try:
        with TestClient(application, base_url="https://testserver") as client:
            for answer in (client.get("/healthz"), client.get("/connexion")):
                assert_secured(answer, hsts=True)
            assert_secured(client.get("/static/web.css"), static=True, hsts=True)
    finally:
        application.state.engine.dispose()
