"""Sessions kept server side: signing out, a password change or an administrator ends a
session everywhere, and the server caps what a validly signed token may claim."""

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from api.accounts.auth_sessions import conversation_id
from api.accounts.models import AuthSession, EndReason, Policyholder, SecurityEventKind, StaffRole
from contract import tokens as contract
from tests.accounts.helpers import bearer, events, sign_in
from tests.factories import PASSWORD, Factory

NEW_PASSWORD = "une phrase de passe toute neuve"


def _token(client: TestClient, username: str, password: str = PASSWORD) -> str:
    response = sign_in(client, username, password)
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


def _payload(token: str, key: str) -> dict[str, Any]:
    return jwt.decode(token, key, algorithms=["HS256"])


def test_a_token_names_an_open_session_that_ends_with_it(
    client: TestClient, factory: Factory, db: Session
) -> None:
    factory.policyholder("camille")
    token = _token(client, "camille")
    claims = _payload(token, factory.settings.signing_key)
    assert claims["type"] == "access" and isinstance(claims["sid"], str)
    [record] = db.scalars(select(AuthSession))
    assert record.origin == "api" and record.ended_at is None
    assert abs(record.expires_at.timestamp() - float(claims["exp"])) < 1
    assert record.id != claims["sid"]  # only its hash is stored
    assert client.get("/api/v1/auth/me", headers=bearer(token)).status_code == 200


def test_signing_out_ends_the_token(client: TestClient, factory: Factory, db: Session) -> None:
    factory.policyholder("camille")
    token, other = _token(client, "camille"), _token(client, "camille")
    assert client.post("/api/v1/auth/logout", headers=bearer(token)).status_code == 204
    refused = client.get("/api/v1/claims", headers=bearer(token))
    assert refused.status_code == 401
    assert (
        refused.json()["detail"] == "Votre session n'est pas valide ou a expiré : reconnectez-vous."
    )
    assert client.post("/api/v1/auth/logout", headers=bearer(token)).status_code == 401
    assert client.get("/api/v1/claims", headers=bearer(other)).status_code == 200
    reasons = sorted(str(r.end_reason) for r in db.scalars(select(AuthSession)))
    assert reasons == ["None", "signed_out"]


def _signed(payload: dict[str, object], key: str) -> str:
    return jwt.encode(payload, key, algorithm="HS256")


def _claims(factory: Factory, holder: Policyholder, **changes: object) -> dict[str, object]:
    now = int(time.time())
    payload = contract.claims(
        token_type=contract.ACCESS,
        subject=holder.id,
        role="policyholder",
        session_id=factory.sign_in_session(holder),
        now=now,
        seconds=60,
    )
    payload.update(changes)
    return payload


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"exp": int(time.time()) + 30 * 365 * 86400}, id="thirty-years"),
        pytest.param(
            {"iat": int(time.time()) + 120, "exp": int(time.time()) + 180}, id="iat-future"
        ),
        pytest.param({"sid": None}, id="no-sid"),
        pytest.param({"sid": "x" * 65}, id="sid-too-long"),
        pytest.param({"type": "chat"}, id="chat-type"),
        pytest.param({"iat": 1.5}, id="iat-not-integer"),
    ],
)
def test_validly_signed_tokens_breaking_a_rule_are_refused(
    client: TestClient, factory: Factory, changes: dict[str, object]
) -> None:
    holder = factory.policyholder()
    payload = {k: v for k, v in _claims(factory, holder, **changes).items() if v is not None}
    token = _signed(payload, factory.settings.signing_key)
    assert client.get("/api/v1/claims", headers=bearer(token)).status_code == 401


def test_the_same_token_within_the_rules_is_accepted(client: TestClient, factory: Factory) -> None:
    """The control of the test above: only the broken rule made the difference."""
    holder = factory.policyholder()
    now = int(time.time())
    slightly_ahead = _claims(factory, holder, iat=now + 10, exp=now + 70)  # clock leeway
    for payload in (_claims(factory, holder), slightly_ahead):
        token = _signed(payload, factory.settings.signing_key)
        assert client.get("/api/v1/claims", headers=bearer(token)).status_code == 200


def test_a_session_id_that_is_not_the_accounts_is_refused(
    client: TestClient, factory: Factory
) -> None:
    holder, other = factory.policyholder(), factory.policyholder()
    token = factory.token(holder, session_id=factory.sign_in_session(other))
    assert client.get("/api/v1/claims", headers=bearer(token)).status_code == 401
    unknown = factory.token(holder, session_id="a-session-that-was-never-opened")
    assert client.get("/api/v1/claims", headers=bearer(unknown)).status_code == 401


def test_tokens_of_an_expired_session_are_refused(
    client: TestClient, factory: Factory, db: Session
) -> None:
    holder = factory.policyholder()
    headers = factory.auth(holder)
    assert client.get("/api/v1/claims", headers=headers).status_code == 200
    past = datetime.now(UTC) - timedelta(seconds=1)
    db.execute(update(AuthSession).values(expires_at=past))
    db.commit()
    assert client.get("/api/v1/claims", headers=headers).status_code == 401


def test_a_password_change_ends_every_other_session(
    client: TestClient, factory: Factory, db: Session
) -> None:
    holder = factory.policyholder("camille")
    mine, elsewhere = _token(client, "camille"), _token(client, "camille")
    response = client.post(
        "/api/v1/auth/password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=bearer(mine),
    )
    assert response.status_code == 204, response.text
    assert client.get("/api/v1/claims", headers=bearer(elsewhere)).status_code == 401
    assert client.get("/api/v1/claims", headers=bearer(mine)).status_code == 200
    assert sign_in(client, "camille").status_code == 401
    assert sign_in(client, "camille", NEW_PASSWORD).status_code == 200
    [changed] = events(db, SecurityEventKind.PASSWORD_CHANGED)
    assert (changed.account_id, changed.sessions_ended) == (holder.id, 1)


@pytest.mark.parametrize(
    ("current", "new", "field", "message"),
    [
        (PASSWORD, "court", "new_password", "au moins 12 caractères"),
        (PASSWORD, PASSWORD, "new_password", "différent de l'actuel"),
        (
            PASSWORD,
            "camille-2026-printemps",
            "new_password",
            "ne doit pas contenir votre identifiant",
        ),
        (PASSWORD, "aaaaaaaaaaaaaaaa", "new_password", "trop simple"),
        (PASSWORD, "x" * 257, "new_password", "au plus 256 caractères"),
        ("pas le bon", NEW_PASSWORD, "current_password", "Le mot de passe actuel est incorrect."),
    ],
)
def test_password_refusals_are_explained_in_french(
    client: TestClient, factory: Factory, current: str, new: str, field: str, message: str
) -> None:
    factory.policyholder("camille")
    response = client.post(
        "/api/v1/auth/password",
        json={"current_password": current, "new_password": new},
        headers=bearer(_token(client, "camille")),
    )
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["field"] == field and message in error["message"]
    assert sign_in(client, "camille").status_code == 200  # unchanged


def test_guessing_the_current_password_is_throttled(client: TestClient, factory: Factory) -> None:
    factory.staff(StaffRole.AGENT, "agnes")
    headers = bearer(_token(client, "agnes"))

    def change(current: str) -> int:
        body = {"current_password": current, "new_password": NEW_PASSWORD}
        return client.post("/api/v1/auth/password", json=body, headers=headers).status_code

    assert [change(f"essai {i}") for i in range(5)] == [422] * 4 + [429]
    assert change(PASSWORD) == 429
    assert sign_in(client, "agnes").status_code == 429  # the same counter as signing in


def test_a_chat_token_is_bound_to_the_session_and_is_no_credential(
    client: TestClient, factory: Factory
) -> None:
    factory.policyholder("camille")
    token = _token(client, "camille")
    response = client.post("/api/v1/assistant/chat-token", headers=bearer(token))
    assert response.status_code == 200
    body = response.json()
    chat = _payload(body["chat_token"], factory.settings.channel_key)
    access = _payload(token, factory.settings.signing_key)
    conversation = conversation_id(str(access["sid"]))
    assert (chat["type"], chat["sid"], chat["sub"]) == ("chat", conversation, access["sub"])
    assert chat["exp"] - chat["iat"] == body["expires_in"]
    # Capped by the session: this one (30 minutes) ends first.
    assert body["expires_in"] <= access["exp"] - chat["iat"]
    with pytest.raises(jwt.InvalidSignatureError):
        _payload(body["chat_token"], factory.settings.signing_key)
    assert client.get("/api/v1/claims", headers=bearer(body["chat_token"])).status_code == 401
    assert (
        client.post("/api/v1/assistant/chat-token", headers=bearer(body["chat_token"])).status_code
        == 401
    )


def test_only_policyholders_get_a_chat_token(client: TestClient, factory: Factory) -> None:
    agent = factory.staff(StaffRole.AGENT)
    response = client.post("/api/v1/assistant/chat-token", headers=factory.auth(agent))
    assert response.status_code == 403


def test_an_admin_ends_every_session_of_an_account(
    client: TestClient, factory: Factory, db: Session
) -> None:
    holder = factory.policyholder("camille")
    admin = factory.staff(StaffRole.ADMIN)
    first, second = _token(client, "camille"), _token(client, "camille")
    response = client.post(
        f"/api/v1/admin/accounts/policyholder/{holder.id}/sessions/end", headers=factory.auth(admin)
    )
    assert response.json() == {"ended": 2}
    for token in (first, second):
        assert client.get("/api/v1/claims", headers=bearer(token)).status_code == 401
    [ended] = events(db, SecurityEventKind.SESSIONS_ENDED)
    assert (ended.account_id, ended.admin_id, ended.sessions_ended) == (holder.id, admin.id, 2)
    missing = client.post(
        "/api/v1/admin/accounts/staff/999999/sessions/end", headers=factory.auth(admin)
    )
    assert missing.status_code == 404


def test_deactivating_staff_ends_their_sessions(
    client: TestClient, factory: Factory, db: Session
) -> None:
    agent = factory.staff(StaffRole.AGENT, "agnes")
    admin = factory.staff(StaffRole.ADMIN)
    token = _token(client, "agnes")
    response = client.post(
        f"/api/v1/admin/staff/{agent.id}/deactivate", headers=factory.auth(admin)
    )
    assert response.json() == {"ended": 1}
    assert client.get("/api/v1/auth/me", headers=bearer(token)).status_code == 401
    [record] = db.scalars(select(AuthSession).where(AuthSession.account_id == agent.id))
    assert record.end_reason is EndReason.DEACTIVATED
    # Reactivated (by hand), the old session stays ended.
    db.expire_all()
    agent.is_active = True
    db.commit()
    assert client.get("/api/v1/auth/me", headers=bearer(token)).status_code == 401
    assert sign_in(client, "agnes").status_code == 200
    own = client.post(f"/api/v1/admin/staff/{admin.id}/deactivate", headers=factory.auth(admin))
    assert own.status_code == 409


def test_only_admins_reach_the_security_routes(client: TestClient, factory: Factory) -> None:
    agent = factory.staff(StaffRole.AGENT)
    holder = factory.policyholder()
    for account in (agent, holder):
        headers = factory.auth(account)
        assert client.get("/api/v1/admin/security/locks", headers=headers).status_code == 403
        assert client.get("/api/v1/admin/security/events", headers=headers).status_code == 403
        unlock = client.post(
            "/api/v1/admin/security/unlock", json={"username": "x"}, headers=headers
        )
        assert unlock.status_code == 403
