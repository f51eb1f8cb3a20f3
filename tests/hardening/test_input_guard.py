"""Text no database can take (NUL, lone surrogates) is refused in French before any route runs:
PostgreSQL answered 500 for a NUL in a search, a report or a sign-in, SQLite stored it."""

import json
from collections.abc import Iterator
from datetime import timedelta

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.accounts.models import StaffRole
from api.core.clock import local_today
from api.reports.models import Report
from tests.factories import Factory
from tests.web.helpers import csrf_token, login
from tests.web.markup import parse

NBSP = "\u00a0"


def _report(**fields: object) -> dict[str, object]:
    return {
        "care_date": (local_today("Europe/Paris") - timedelta(days=2)).isoformat(),
        "provider_name": "Dr Sophie Martin",
        "description": "Je n'ai jamais eu ce rendez-vous.",
        **fields,
    }


def _post_json(
    client: TestClient, path: str, body: object, headers: dict[str, str]
) -> httpx.Response:
    """JSON as a client may send it: json.dumps writes a lone surrogate as « \\ud800 »."""
    return client.post(
        path,
        content=json.dumps(body).encode(),
        headers={**headers, "Content-Type": "application/json"},
    )


def test_a_nul_in_a_search_is_refused_with_the_field_named(
    client: TestClient, factory: Factory
) -> None:
    agent = factory.auth(factory.staff(StaffRole.AGENT))
    response = client.get("/api/v1/reports", params={"q": "fraude\x00"}, headers=agent)
    assert response.status_code == 422
    assert response.json() == {
        "detail": f"Le paramètre «{NBSP}q{NBSP}» contient un caractère nul (U+0000), "
        "qui n'est pas accepté.",
        "code": "invalid_input",
        "errors": [
            {
                "field": "q",
                "message": f"Le paramètre «{NBSP}q{NBSP}» contient un caractère nul (U+0000), "
                "qui n'est pas accepté.",
            }
        ],
    }


def test_nul_and_lone_surrogates_in_a_report_store_nothing(
    client: TestClient, factory: Factory, db: Session
) -> None:
    holder = factory.auth(factory.policyholder())
    turn = {"sender": "user", "text": "bonjour", "timestamp": "2026-11-30T10:00:00+01:00"}
    for body, field, problem in [
        (_report(description="jamais\x00vu"), "description", "caractère nul (U+0000)"),
        (_report(provider_name="Dr \ud800"), "provider_name", "(U+D800, demi-paire"),
        (_report(transcript=[{**turn, "text": "\udfff"}]), "transcript.0.text", "U+DFFF"),
        (_report(**{"a\x00": 1}), "body", "Un nom de champ"),
    ]:
        response = _post_json(client, "/api/v1/reports", body, holder)
        assert response.status_code == 422, body
        error = response.json()
        assert error["errors"][0]["field"] == field
        assert problem in error["detail"]
    assert db.scalar(select(func.count()).select_from(Report)) == 0


def test_text_that_only_looks_like_it_passes(client: TestClient, factory: Factory) -> None:
    """An emoji escaped as a surrogate pair, a typed « \\u0000 », a tab: all fine."""
    holder = factory.auth(factory.policyholder())
    body = _report(description="😀 C:\\u0000\tfin", provider_name="Dr Élodie Garnier")
    response = _post_json(client, "/api/v1/reports", body, holder)
    assert response.status_code == 201, response.text
    assert response.json()["description"] == "😀 C:\\u0000\tfin"


def test_a_nul_in_a_sign_in_form_is_a_french_page(client: TestClient) -> None:
    token = csrf_token(client)
    response = client.post(
        "/connexion", data={"username": "agent\x00", "password": "x", "csrf_token": token}
    )
    assert response.status_code == 400
    page = parse(response.text)
    assert page.find("html").attrs["lang"] == "fr"
    assert "caractère nul (U+0000)" in page.find("main").text
    token_response = client.post(
        "/api/v1/auth/token", data={"username": "agent", "password": "\x00"}
    )
    assert token_response.status_code == 422
    assert token_response.json()["errors"][0]["field"] == "password"


def test_the_agents_list_refuses_a_nul_in_a_filter_it_reads_by_hand(
    client: TestClient, factory: Factory
) -> None:
    agent = factory.staff(StaffRole.AGENT)
    assert login(client, agent.username).status_code == 303
    for path in ("/agent/signalements", "/agent/signalements.csv"):
        response = client.get(path, params={"provider": "Martin\x00"})
        assert response.status_code == 400
        assert "Le paramètre" in parse(response.text).find("main").text
    raw = client.get("/agent/signalements%00")
    assert raw.status_code == 400
    assert "L'adresse demandée contient un caractère nul" in parse(raw.text).find("main").text


def test_invalid_utf8_in_a_url_is_read_as_replacement_characters(
    client: TestClient, factory: Factory
) -> None:
    agent = factory.auth(factory.staff(StaffRole.AGENT))
    response = client.get("/api/v1/reports?q=%ED%A0%80", headers=agent)
    assert response.status_code == 200


def test_multipart_bodies_are_refused(client: TestClient) -> None:
    response = client.post(
        "/api/v1/auth/token", files={"username": (None, "agent")}, data={"password": "demo"}
    )
    assert response.status_code == 415
    assert response.json()["detail"].startswith("Type de contenu non pris en charge")


def test_a_body_the_guard_reads_still_reaches_the_route_whole(
    client: TestClient, factory: Factory
) -> None:
    """The guard buffers the body and replays it: a long, streamed, valid body is filed."""
    holder = factory.auth(factory.policyholder())
    payload = json.dumps(_report(description="é" * 1900)).encode()

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(payload), 1000):
            yield payload[start : start + 1000]

    response = client.post(
        "/api/v1/reports",
        content=chunks(),
        headers={**holder, "Content-Type": "application/json"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["description"] == "é" * 1900


def test_the_first_bad_field_in_the_document_is_named(client: TestClient, factory: Factory) -> None:
    holder = factory.auth(factory.policyholder())
    turn = {"sender": "user", "text": "\x00", "timestamp": "2026-11-30T10:00:00+01:00"}
    body = _report(provider_name="Dr \x00", transcript=[turn])
    response = _post_json(client, "/api/v1/reports", body, holder)
    assert [e["field"] for e in response.json()["errors"]] == ["provider_name"]
    deep: object = "\x00"
    for _ in range(500):
        deep = [deep]
    nested = _post_json(client, "/api/v1/reports", _report(description=deep), holder)
    assert nested.status_code == 422
    assert nested.json()["errors"][0]["field"] == "description" + ".0" * 500
