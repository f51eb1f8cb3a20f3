"""Every refusal is a JSON body in French, and bodies are capped."""

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.core.clock import local_today
from api.reports.models import Report
from tests.factories import Factory


def test_unknown_route_and_method(client: TestClient) -> None:
    assert client.get("/api/v1/nothing").json() == {
        "detail": "Ressource introuvable.",
        "code": "http_404",
    }
    response = client.delete("/api/v1/claims")
    assert response.status_code == 405
    assert response.json()["detail"] == "Méthode non autorisée pour cette adresse."


def test_invalid_json_is_explained(client: TestClient, factory: Factory) -> None:
    response = client.post(
        "/api/v1/reports",
        headers={**factory.auth(factory.policyholder()), "Content-Type": "application/json"},
        content=b"{not json",
    )
    assert response.status_code == 422
    assert "JSON valide" in response.json()["detail"]


def _big_report(size: int) -> bytes:
    return json.dumps(
        {
            "care_date": (local_today("Europe/Paris") - timedelta(days=1)).isoformat(),
            "provider_name": "Dr Martin",
            "description": "x" * size,
        }
    ).encode()


def test_declared_oversized_body_is_refused_before_reading(
    client: TestClient, factory: Factory, db: Session
) -> None:
    response = client.post(
        "/api/v1/reports",
        content=_big_report(400_000),
        headers={**factory.auth(factory.policyholder()), "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["detail"] == "Requête trop volumineuse : 262144 octets au maximum."
    assert db.scalar(select(func.count()).select_from(Report)) == 0


def test_streamed_oversized_body_is_refused(client: TestClient, factory: Factory) -> None:
    payload = _big_report(400_000)

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(payload), 16_384):
            yield payload[start : start + 16_384]

    response = client.post(
        "/api/v1/reports",
        content=chunks(),
        headers={**factory.auth(factory.policyholder()), "Content-Type": "application/json"},
    )
    assert response.status_code == 413


@pytest.mark.parametrize("description", ["é" * 2000, "😀" * 2000])
def test_long_but_allowed_text_passes_the_cap(
    client: TestClient, factory: Factory, description: str
) -> None:
    body = json.loads(_big_report(0))
    body["description"] = description
    response = client.post(
        "/api/v1/reports", json=body, headers=factory.auth(factory.policyholder())
    )
    assert response.status_code == 201


def test_health(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok", "database": "ok"}


def test_openapi_documents_the_api(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path in (
        "/api/v1/auth/token",
        "/api/v1/claims",
        "/api/v1/claims/match",
        "/api/v1/claims/{claim_id}",
        "/api/v1/reports",
        "/api/v1/reports/{reference}",
    ):
        assert path in spec["paths"], path
    assert client.get("/docs").status_code == 200
