"""Only agents and admins reach the console: anonymous visitors are sent to the sign-in page,
trainers and policyholders get a French 403, on every route."""

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.accounts.models import StaffRole
from api.reports.models import ReportEvent
from api.web.agent import pages as page_routes
from api.web.agent import router as console
from api.web.agent import security as security_routes
from api.web.agent import submissions as action_routes
from tests.factories import Factory
from tests.web.agent.helpers import TODAY, file
from tests.web.helpers import csrf_token, declared_routes, login
from tests.web.markup import parse


@dataclass(frozen=True)
class World:
    reference: str
    other: str
    provider_id: int
    agent_id: int


@pytest.fixture
def world(factory: Factory, db: Session) -> World:
    holder = factory.policyholder()
    provider = factory.provider()
    claim = factory.claim(holder, provider, TODAY)
    report = file(db, holder.id, claim=claim)
    other = file(db, holder.id)  # the same facts, without the claim (one open report per claim)
    agent = factory.staff(StaffRole.AGENT)
    return World(report.reference, other.reference, provider.id, agent.id)


def pages(w: World) -> list[str]:
    return [
        "/agent",
        "/agent/priorites",
        "/agent/priorites?anomaly_type=other",
        "/agent/signalements",
        "/agent/signalements?status=received&q=rendez-vous",
        "/agent/signalements.csv",
        f"/agent/signalements/{w.reference}",
        f"/agent/professionnels/{w.provider_id}",
    ]


def forms(w: World) -> list[tuple[str, dict[str, str]]]:
    base = f"/agent/signalements/{w.reference}"
    return [
        (f"{base}/statut", {"status": "in_review"}),
        (f"{base}/notes", {"note": "Vu."}),
        (f"{base}/affectation", {"assigned_to": str(w.agent_id)}),
        (f"{base}/doublon", {"original": w.other, "mode": "link"}),
        (f"{base}/doublon/retrait", {}),
    ]


def test_every_console_route_is_covered_here() -> None:
    """A new route under /agent must be added to the lists above (and so be tested)."""
    routes = declared_routes(
        page_routes.router, action_routes.router, security_routes.router, console.router
    )
    covered = {
        ("GET", "/agent"),
        ("GET", "/agent/priorites"),
        ("GET", "/agent/signalements"),
        ("GET", "/agent/signalements.csv"),
        ("GET", "/agent/signalements/{reference}"),
        ("GET", "/agent/professionnels/{provider_id}"),
        ("GET", "/agent/{path:path}"),
        ("POST", "/agent/signalements/{reference}/statut"),
        ("POST", "/agent/signalements/{reference}/notes"),
        ("POST", "/agent/signalements/{reference}/affectation"),
        ("POST", "/agent/signalements/{reference}/doublon"),
        ("POST", "/agent/signalements/{reference}/doublon/retrait"),
        # Admins only: tests/accounts/test_security_page.py.
        ("GET", "/agent/securite"),
        ("POST", "/agent/securite/deverrouiller"),
        ("POST", "/agent/securite/sessions"),
    }
    assert routes == covered
    assert all(path.startswith("/agent") for _method, path in routes)


def test_anonymous_visitors_are_sent_to_sign_in(client: TestClient, world: World) -> None:
    for path in [*pages(world), "/agent/nulle-part"]:
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/connexion?next=%2Fagent"), path
    client.get("/connexion")  # a session with a CSRF token, but nobody signed in
    for path, data in forms(world):
        response = client.post(path, data=data, follow_redirects=False)
        assert (response.status_code, response.headers["location"]) == (303, "/connexion"), path


def _count_events(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(ReportEvent)) or 0


@pytest.mark.parametrize("role", ["policyholder", StaffRole.TRAINER])
def test_trainers_and_policyholders_get_a_french_403(
    client: TestClient, factory: Factory, db: Session, world: World, role: object
) -> None:
    account = factory.staff(role) if isinstance(role, StaffRole) else factory.policyholder()
    assert account.username is not None  # a policyholder's is optional; the factory sets one
    login(client, account.username)
    for path in [*pages(world), "/agent/nulle-part"]:
        response = client.get(path)
        assert response.status_code == 403, path
        assert response.template.name == "error.html", path
        assert parse(response.text).find("h1").text == "Accès refusé"
    events = _count_events(db)
    token = csrf_token(client, "/connexion")
    for path, data in forms(world):
        response = client.post(path, data={**data, "csrf_token": token}, follow_redirects=False)
        assert response.status_code == 403, path
    assert _count_events(db) == events


@pytest.mark.parametrize("role", [StaffRole.AGENT, StaffRole.ADMIN])
def test_agents_and_admins_see_every_page_and_may_act(
    client: TestClient, factory: Factory, world: World, role: StaffRole
) -> None:
    account = factory.staff(role)
    login(client, account.username)
    for path in pages(world):
        assert client.get(path).status_code == 200, path
    for path, data in forms(world):
        token = csrf_token(client, f"/agent/signalements/{world.reference}")
        response = client.post(path, data={**data, "csrf_token": token}, follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"] == f"/agent/signalements/{world.reference}"
        messages = client.get(response.headers["location"]).context["messages"]
        assert [m["level"] for m in messages] == ["success"], (path, messages)


def test_unknown_pages_and_reports_are_french_404s(signed_in: TestClient, world: World) -> None:
    for path in (
        "/agent/nulle-part",
        "/agent/signalements/SIG-1999-000001",
        "/agent/signalements/n-importe-quoi",
        "/agent/signalements/" + "9" * 40,
        "/agent/professionnels/999999",
        "/agent/professionnels/abc",
        "/agent/professionnels/99999999999999",
    ):
        response = signed_in.get(path)
        assert response.status_code == 404, path
        assert response.template.name == "error.html"
        assert "introuvable" in parse(response.text).find("h1").text.lower()


def test_actions_on_an_unknown_report_are_404s(signed_in: TestClient) -> None:
    token = csrf_token(signed_in, "/agent")
    response = signed_in.post(
        "/agent/signalements/SIG-1999-000001/notes", data={"note": "x", "csrf_token": token}
    )
    assert response.status_code == 404
