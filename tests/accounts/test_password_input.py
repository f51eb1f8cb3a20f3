"""Changing one's password with any input: never a 5xx, always a French answer, and the
password changes only to a valid new one. (The route sweep of tests/hardening leaves this route
out: changing the sweep's own password would sign it out of everything it attacks next.)"""

import pytest
from fastapi.testclient import TestClient

from tests.accounts.helpers import bearer, sign_in
from tests.factories import PASSWORD, Factory
from tests.hardening import hostile

URL = "/api/v1/auth/password"
GOOD = "une phrase de passe toute neuve"


def _signed_in(client: TestClient, factory: Factory, username: str) -> dict[str, str]:
    factory.policyholder(username)
    response = sign_in(client, username)
    assert response.status_code == 200, response.text
    return bearer(response.json()["access_token"])


@pytest.mark.parametrize("field", ["current_password", "new_password"])
@pytest.mark.parametrize("value", hostile.TEXTS, ids=range(len(hostile.TEXTS)))
def test_hostile_values_in_either_field_get_a_french_refusal(
    client: TestClient, factory: Factory, field: str, value: str, request: pytest.FixtureRequest
) -> None:
    username = f"mdp-{request.node.callspec.id}".replace("[", "-").replace("]", "")[:60]
    headers = _signed_in(client, factory, username)
    body = {"current_password": PASSWORD, "new_password": GOOD, field: value}
    response = client.post(
        URL, headers={**headers, "Content-Type": "application/json"}, content=hostile.dumps(body)
    )
    assert response.status_code < 500, response.text
    if response.status_code != 204:
        detail = str(response.json().get("detail", ""))
        assert detail and not any(word in detail for word in ("Input should", "Field required"))
    # The password is still the old one unless a valid new one was accepted.
    if response.status_code == 204:
        assert field == "new_password"
        assert sign_in(client, username, value).status_code == 200
    else:
        assert sign_in(client, username, PASSWORD).status_code == 200


@pytest.mark.parametrize("raw", hostile.WHOLE_BODIES)
def test_malformed_bodies_are_refused(client: TestClient, factory: Factory, raw: bytes) -> None:
    headers = _signed_in(client, factory, f"mdp-corps-{hostile.WHOLE_BODIES.index(raw)}")
    response = client.post(
        URL, headers={**headers, "Content-Type": "application/json"}, content=raw
    )
    assert 400 <= response.status_code < 500, response.text
