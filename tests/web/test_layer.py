"""The shared web layer: templates that escape and fail loudly, French formats, safe redirects,
page links, static files and the headers every page carries."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from jinja2 import UndefinedError

from api.web import formatting
from api.web.navigation import HOME_BY_ROLE, next_after_login, safe_next
from api.web.pagination import make_pager
from api.web.templating import make_environment, static_url


def test_templates_escape_everything_and_refuse_missing_variables() -> None:
    env = make_environment()
    rendered = env.from_string("<p>{{ text }}</p>").render(text="<script>alert(1)</script>")
    assert rendered == "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"
    with pytest.raises(UndefinedError):
        env.from_string("{{ missing }}").render()


def test_french_formats() -> None:
    assert formatting.money(Decimal("1234.5")) == "1\u202f234,50\u00a0€"
    assert formatting.money(None) == "—"
    assert formatting.decimal_fr(Decimal("43.385")) == "43,39"
    assert formatting.number(100000) == "100\u202f000"
    assert formatting.date_fr(date(2026, 3, 7)) == "07/03/2026"
    # 23:30 UTC on 31 March is already 1 April in Paris (summer time).
    at = datetime(2026, 3, 31, 23, 30, tzinfo=UTC)
    assert formatting.datetime_fr(at, "Europe/Paris") == "01/04/2026 à 01:30"
    assert formatting.plural(1, "jour") == "1\u00a0jour"
    assert formatting.plural(3, "jour") == "3\u00a0jours"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("/agent/signalements?status=received", "/agent/signalements?status=received"),
        ("/agent", "/agent"),
        ("https://evil.example/", None),
        ("//evil.example/", None),
        ("/\\evil.example", None),
        ("/agent\r\nSet-Cookie: x", None),
        ("agent", None),
        ("", None),
        (None, None),
        ("/" + "a" * 3000, None),
    ],
)
def test_only_local_paths_are_followed_after_sign_in(
    value: str | None, expected: str | None
) -> None:
    assert safe_next(value) == expected


def test_each_role_lands_on_its_home_or_nowhere_yet() -> None:
    assert {role.value: home for role, home in HOME_BY_ROLE.items()} == {
        "policyholder": "/compte",
        "agent": "/agent",
        "trainer": "/trainer",
        "admin": "/agent",
    }
    from api.accounts.models import Role

    assert next_after_login(Role.AGENT, "/agent/signalements") == "/agent/signalements"
    assert next_after_login(Role.ADMIN, None) == "/agent"
    assert next_after_login(Role.TRAINER, None) == "/trainer"
    assert next_after_login(Role.POLICYHOLDER, None) == "/compte"


def test_page_links_keep_a_window_around_the_current_page() -> None:
    pager = make_pager(page=6, per_page=25, total=1000, url=lambda n: f"?page={n}")
    assert [link.text for link in pager.links] == [
        "Précédente", "1", "…", "4", "5", "6", "7", "8", "…", "40", "Suivante",
    ]  # fmt: skip
    assert [link.text for link in pager.links if link.current] == ["6"]
    assert (pager.first_item, pager.last_item, pager.pages) == (126, 150, 40)


def test_a_page_past_the_end_shows_the_last_one_and_one_page_needs_no_links() -> None:
    assert make_pager(page=99, per_page=25, total=30, url=str).page == 2
    assert make_pager(page=1, per_page=25, total=3, url=str).links == []
    empty = make_pager(page=1, per_page=25, total=0, url=str)
    assert (empty.first_item, empty.last_item, empty.pages) == (0, 0, 1)


def test_the_stylesheet_is_served_by_the_app_with_a_version(client: TestClient) -> None:
    url = static_url("web.css")
    assert url.startswith("/static/web.css?v=")
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")
    assert ":focus-visible" in response.text


def test_pages_are_never_cached_framed_or_given_foreign_scripts(client: TestClient) -> None:
    headers = client.get("/connexion").headers
    assert headers["cache-control"] == "no-store"
    assert headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["content-type"] == "text/html; charset=utf-8"


def test_the_json_api_keeps_its_own_errors(client: TestClient) -> None:
    response = client.get("/api/v1/reports")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
