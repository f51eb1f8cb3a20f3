"""The action server's `assistant` tokens: accepted only on the routes that opt in, for the
policyholder whose session they name, while that session is open. Every other route of the
API refuses them (default deny), checked route by route from the routers' declarations."""

import jwt
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.accounts.admin_router import router as admin_router
from api.accounts.auth_sessions import conversation_id
from api.accounts.models import Policyholder, StaffRole
from api.accounts.router import router as accounts_router
from api.claims.router import router as claims_router
from api.notifications.router import router as notifications_router
from api.reports.router import router as reports_router
from tests.accounts.helpers import bearer
from tests.factories import Factory
from tests.web.agent.helpers import TODAY, file
from tests.web.helpers import csrf_token, declared_routes, login, signed_in_session

PREFIX = "/api/v1"
# The only routes an assistant token opens (the report complements join them when added).
ASSISTANT_ROUTES = {
    ("GET", "/claims"),
    ("GET", "/claims/match"),
    ("GET", "/claims/{claim_id}"),
    ("GET", "/reports"),
    ("GET", "/reports/{reference}"),
    ("POST", "/reports"),
    ("POST", "/reports/{reference}/complements"),
}
# Routes that take no token at all.
PUBLIC_ROUTES = {("POST", "/auth/token")}
REFUSED = "Cette action n'est pas possible depuis l'assistant\u00a0: faites-la depuis votre compte."
ROUTERS = (accounts_router, admin_router, claims_router, reports_router, notifications_router)


def _url(path: str, reference: str, claim_id: int) -> str:
    return PREFIX + path.format(
        reference=reference, claim_id=claim_id, account_id=1, kind="policyholder", staff_id=1
    )


@pytest.fixture
def holder(factory: Factory) -> Policyholder:
    return factory.policyholder("camille")


def api_routes(app: FastAPI) -> set[tuple[str, str]]:
    """Every JSON route the app serves, whichever router declares it (a router newly included
    in api/main.py is checked here without being named), as its OpenAPI schema lists them."""
    return {
        (method.upper(), path.removeprefix(PREFIX))
        for path, operations in app.openapi()["paths"].items()
        if path.startswith(PREFIX + "/")
        for method in operations
    }


def test_every_route_refuses_an_assistant_token_unless_it_opts_in(
    app: FastAPI, client: TestClient, factory: Factory, holder: Policyholder, db: Session
) -> None:
    routes = api_routes(app)
    assert routes >= declared_routes(*ROUTERS) >= ASSISTANT_ROUTES | PUBLIC_ROUTES
    claim = factory.claim(holder, factory.provider(), TODAY)
    reference = file(db, holder.id, claim=claim).reference
    headers = factory.assistant_auth(holder)
    for method, path in sorted(routes - PUBLIC_ROUTES):
        response = client.request(method, _url(path, reference, claim.id), headers=headers, json={})
        if (method, path) in ASSISTANT_ROUTES:
            assert response.status_code not in (401, 403), (method, path, response.text)
        else:
            assert response.status_code == 403, (method, path)
            assert response.json() == {"detail": REFUSED, "code": "forbidden"}, (method, path)


def test_the_assistant_acts_for_its_policyholder_only(
    client: TestClient, factory: Factory, holder: Policyholder, db: Session
) -> None:
    other = factory.policyholder()
    provider = factory.provider()
    mine, theirs = factory.claim(holder, provider, TODAY), factory.claim(other, provider, TODAY)
    their_report = file(db, other.id, claim=theirs).reference
    headers = factory.assistant_auth(holder)
    listed = client.get("/api/v1/claims", params={"policyholder_id": other.id}, headers=headers)
    assert [c["id"] for c in listed.json()["items"]] == [mine.id]
    assert client.get(f"/api/v1/claims/{theirs.id}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/reports/{their_report}", headers=headers).status_code == 404
    filed = client.post(
        "/api/v1/reports",
        json={
            "care_date": TODAY.isoformat(),
            "provider_name": "Dr Sophie Martin",
            "description": "Je n'ai jamais eu ce rendez-vous.",
            "anomaly_type": "not_performed",
            "claim_id": mine.id,
        },
        headers=headers,
    )
    assert filed.status_code == 201, filed.text
    mine_only = client.get("/api/v1/reports", headers=headers).json()["items"]
    assert [r["reference"] for r in mine_only] == [filed.json()["reference"]]


@pytest.mark.parametrize(
    "problem", ["too-long", "signed-with-secret-key", "signed-with-channel-key", "staff-role"]
)
def test_assistant_tokens_breaking_a_rule_are_refused(
    client: TestClient, factory: Factory, holder: Policyholder, problem: str
) -> None:
    settings = factory.settings
    if problem == "too-long":
        token = factory.assistant_token(holder, seconds=61)
    elif problem == "signed-with-secret-key":
        token = factory.assistant_token(holder, key=settings.signing_key)
    elif problem == "signed-with-channel-key":
        token = factory.assistant_token(holder, key=settings.channel_key)
    else:
        agent = factory.staff(StaffRole.AGENT)
        payload = jwt.decode(
            factory.assistant_token(holder), settings.service_key, algorithms=["HS256"]
        )
        payload.update(sub=str(agent.id), role="agent", sid=factory.sign_in_session(agent))
        token = jwt.encode(payload, settings.service_key, algorithm="HS256")
    assert client.get("/api/v1/claims", headers=bearer(token)).status_code == 401


def test_an_assistant_token_needs_a_session_of_its_policyholder(
    client: TestClient, factory: Factory, holder: Policyholder
) -> None:
    other = factory.policyholder()
    borrowed = factory.assistant_token(holder, session_id=factory.sign_in_session(other))
    assert client.get("/api/v1/claims", headers=bearer(borrowed)).status_code == 401


def test_the_assistant_side_names_a_session_by_its_conversation_id_only(
    client: TestClient, factory: Factory, holder: Policyholder
) -> None:
    """The raw session id (what the cookie and access tokens hold) is no sid for an assistant
    token, and a conversation id is none for an access token."""
    session_id = factory.sign_in_session(holder)
    raw = factory.assistant_token(holder, sid=session_id)
    assert client.get("/api/v1/claims", headers=bearer(raw)).status_code == 401
    access = factory.token(holder, session_id=conversation_id(session_id))
    assert client.get("/api/v1/claims", headers=bearer(access)).status_code == 401
    good = factory.assistant_token(holder, session_id=session_id)
    assert client.get("/api/v1/claims", headers=bearer(good)).status_code == 200


def test_after_signing_out_the_conversation_can_no_longer_act(
    client: TestClient, factory: Factory, holder: Policyholder
) -> None:
    """The widget's chat token was minted before signing out; the action server's token for
    that conversation (its session) is refused once the policyholder signs out."""
    assert login(client, "camille").headers["location"] == "/compte"
    session_id = signed_in_session(client)
    headers = factory.assistant_auth(holder, session_id=session_id)
    assert client.get("/api/v1/claims", headers=headers).status_code == 200
    client.post("/deconnexion", data={"csrf_token": csrf_token(client, "/compte")})
    assert client.get("/api/v1/claims", headers=headers).status_code == 401
    fresh = factory.assistant_auth(holder, session_id=session_id)  # minted after: refused too
    assert client.get("/api/v1/claims/match?care_date=2026-01-05", headers=fresh).status_code == 401
