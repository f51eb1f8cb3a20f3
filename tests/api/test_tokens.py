"""Forged, expired, malformed and wrong-role tokens are refused on every protected route."""

import jwt
import pytest
from fastapi.testclient import TestClient

from api.accounts.models import StaffRole
from tests.factories import Factory

PROTECTED = [
    ("GET", "/api/v1/claims"),
    ("GET", "/api/v1/claims/1"),
    ("GET", "/api/v1/claims/match?care_date=2026-01-05"),
    ("GET", "/api/v1/reports"),
    ("GET", "/api/v1/reports/SIG-2026-000001"),
    ("GET", "/api/v1/auth/me"),
]


def _call(client: TestClient, method: str, url: str, token: str | None) -> int:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return client.request(method, url, headers=headers).status_code


@pytest.mark.parametrize(("method", "url"), PROTECTED)
def test_no_token_is_refused(client: TestClient, method: str, url: str) -> None:
    response = client.request(method, url)
    assert response.status_code == 401
    assert response.json()["detail"].startswith("Authentification requise")


@pytest.mark.parametrize(("method", "url"), PROTECTED)
def test_forged_expired_and_garbage_tokens_are_refused(
    client: TestClient, factory: Factory, method: str, url: str
) -> None:
    holder = factory.policyholder()
    forged = factory.token(holder, secret="another-secret-that-is-long-enough-0000")
    expired = factory.token(holder, minutes=-1)
    for token in (forged, expired, "not.a.jwt", ""):
        assert _call(client, method, url, token) == 401, token


def test_unsigned_token_is_refused(client: TestClient, factory: Factory) -> None:
    holder = factory.policyholder()
    unsigned = jwt.encode(
        {"sub": str(holder.id), "role": "admin", "type": "access", "iat": 0, "exp": 4_000_000_000},
        key=None,
        algorithm="none",
    )
    assert _call(client, "GET", "/api/v1/claims", unsigned) == 401


def test_token_claiming_another_role_is_refused(client: TestClient, factory: Factory) -> None:
    """A policyholder's id presented with the admin role matches no admin account."""
    holder = factory.policyholder()
    factory.staff(StaffRole.TRAINER)  # some staff row exists with another id
    token = factory.token(holder, role="admin")
    response = client.post("/api/v1/claims", headers={"Authorization": f"Bearer {token}"}, json={})
    assert response.status_code == 401


def test_token_of_deleted_account_is_refused(client: TestClient, factory: Factory) -> None:
    holder = factory.policyholder()
    headers = factory.auth(holder)
    factory.session.delete(holder)
    factory.session.commit()
    assert client.get("/api/v1/claims", headers=headers).status_code == 401


def test_refusals_never_echo_the_token(client: TestClient, factory: Factory) -> None:
    token = factory.token(factory.policyholder(), minutes=-1)
    response = client.get("/api/v1/claims", headers={"Authorization": f"Bearer {token}"})
    assert token not in response.text
