"""Signing in and the tokens that follow."""

import jwt
import pytest
from fastapi.testclient import TestClient

from api.accounts.models import StaffRole
from api.core.security import TokenClaims, decode_token
from tests.factories import PASSWORD, Factory

TOKEN_URL = "/api/v1/auth/token"


def sign_in(client: TestClient, username: str, password: str = PASSWORD):
    return client.post(TOKEN_URL, data={"username": username, "password": password})


def decode_access_token(token: str, *, factory: Factory) -> TokenClaims:
    settings = factory.settings
    return decode_token(
        token,
        token_type="access",
        key=settings.signing_key,
        max_seconds=settings.access_token_minutes * 60,
    )


def test_policyholder_token_names_the_policyholder_and_role(
    client: TestClient, factory: Factory
) -> None:
    holder = factory.policyholder("camille")
    response = sign_in(client, "camille")
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    claims = decode_access_token(body["access_token"], factory=factory)
    assert claims.subject == holder.id
    assert claims.role == "policyholder"
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.json() == {
        "id": holder.id,
        "role": "policyholder",
        "display_name": f"{holder.first_name} {holder.last_name}",
    }


def test_staff_token_carries_the_staff_role(client: TestClient, factory: Factory) -> None:
    agent = factory.staff(StaffRole.AGENT, "agnes")
    token = sign_in(client, "agnes").json()["access_token"]
    claims = decode_access_token(token, factory=factory)
    assert (claims.subject, claims.role) == (agent.id, "agent")


def test_token_is_short_lived(client: TestClient, factory: Factory) -> None:
    factory.policyholder("camille")
    token = sign_in(client, "camille").json()["access_token"]
    payload = jwt.decode(token, factory.settings.signing_key, algorithms=["HS256"])
    assert payload["exp"] - payload["iat"] == factory.settings.access_token_minutes * 60


@pytest.mark.parametrize(("username", "password"), [("camille", "wrong"), ("nobody", PASSWORD)])
def test_wrong_credentials_get_the_same_french_answer(
    client: TestClient, factory: Factory, username: str, password: str
) -> None:
    factory.policyholder("camille")
    response = sign_in(client, username, password)
    assert response.status_code == 401
    assert response.json()["detail"] == "Identifiant ou mot de passe incorrect."
    assert response.headers["www-authenticate"] == "Bearer"


def test_inactive_staff_cannot_sign_in(client: TestClient, factory: Factory) -> None:
    factory.staff(StaffRole.AGENT, "former", is_active=False)
    assert sign_in(client, "former").status_code == 401


def test_demo_accounts_are_refused_outside_demo_mode(client: TestClient, factory: Factory) -> None:
    holder = factory.policyholder("assure1", is_demo=True)
    assert sign_in(client, "assure1").status_code == 401
    # A token minted for a demo account (say, while DEMO was on) is refused too.
    response = client.get("/api/v1/claims", headers=factory.auth(holder))
    assert response.status_code == 401


def test_passwords_are_stored_hashed(factory: Factory) -> None:
    holder = factory.policyholder("camille")
    assert holder.password_hash is not None
    assert PASSWORD not in holder.password_hash
    assert holder.password_hash.startswith("$argon2")


def test_missing_form_fields_are_named(client: TestClient) -> None:
    response = client.post(TOKEN_URL, data={"username": "camille"})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "password", "message": "Ce champ est obligatoire."}
    ]
