"""Only trainers and admins reach the workbench: others get a French 403 and change nothing."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.accounts.models import StaffRole
from api.core.config import Settings
from api.training.models import TrainingDecision, TrainingEvent, TrainingRun
from api.web.trainer import example_pages as example_page_routes
from api.web.trainer import model_submissions as model_routes
from api.web.trainer import pages as page_routes
from api.web.trainer import router as workbench_router
from api.web.trainer import statistics as statistics_routes
from api.web.trainer import submissions as submission_routes
from tests.factories import Factory
from tests.web.helpers import csrf_token, declared_routes, login
from tests.web.markup import parse
from tests.workbench.support import TrackerStore

KEY = "0" * 40

PAGES = [
    "/trainer",
    "/trainer/messages",
    f"/trainer/messages/{KEY}",
    f"/trainer/messages/{KEY}/apercu?intent=greet",
    "/trainer/intentions",
    "/trainer/intentions/greet",
    "/trainer/intentions/greet/apercu?text=coucou",
    "/trainer/entrainements/1",
    "/trainer/entrainements/1/etat",
    "/trainer/entrainements/1/journal",
    "/trainer/modeles/v20261126-150000",
    "/trainer/modeles/v20261126-150000/matrice.png",
    "/trainer/journal",
    "/trainer/statistiques",
    "/trainer/nulle-part",
]
FORMS = [
    (f"/trainer/messages/{KEY}/enregistrer", {"intent": "greet"}),
    (f"/trainer/messages/{KEY}/ecarter", {}),
    ("/trainer/intentions/greet/enregistrer", {"text": "coucou les amis"}),
    ("/trainer/entrainements", {}),
    ("/trainer/modeles/v20261126-150000/activer", {}),
    ("/trainer/modeles/retour", {}),
]


def test_every_workbench_route_is_covered_here() -> None:
    routes = declared_routes(
        page_routes.router,
        example_page_routes.router,
        submission_routes.router,
        model_routes.router,
        statistics_routes.router,
        workbench_router.router,
    )
    covered = {
        ("GET", "/trainer"),
        ("GET", "/trainer/messages"),
        ("GET", "/trainer/messages/{key}"),
        ("GET", "/trainer/messages/{key}/apercu"),
        ("GET", "/trainer/intentions"),
        ("GET", "/trainer/intentions/{intent}"),
        ("GET", "/trainer/intentions/{intent}/apercu"),
        ("GET", "/trainer/entrainements/{run_id}"),
        ("GET", "/trainer/entrainements/{run_id}/etat"),
        ("GET", "/trainer/entrainements/{run_id}/journal"),
        ("GET", "/trainer/modeles/{version}"),
        ("GET", "/trainer/modeles/{version}/matrice.png"),
        ("GET", "/trainer/journal"),
        ("GET", "/trainer/statistiques"),
        ("GET", "/trainer/{path:path}"),
        ("POST", "/trainer/messages/{key}/enregistrer"),
        ("POST", "/trainer/messages/{key}/ecarter"),
        ("POST", "/trainer/intentions/{intent}/enregistrer"),
        ("POST", "/trainer/entrainements"),
        ("POST", "/trainer/modeles/{version}/activer"),
        ("POST", "/trainer/modeles/retour"),
    }
    assert routes == covered


def test_anonymous_visitors_are_sent_to_sign_in(client: TestClient, workbench: Settings) -> None:
    for path in PAGES:
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/connexion?next=%2Ftrainer"), path
    client.get("/connexion")
    for path, data in FORMS:
        response = client.post(path, data=data, follow_redirects=False)
        assert (response.status_code, response.headers["location"]) == (303, "/connexion"), path


def _records(db: Session) -> tuple[int, ...]:
    return tuple(
        db.scalar(select(func.count()).select_from(table)) or 0
        for table in (TrainingEvent, TrainingRun, TrainingDecision)
    )


@pytest.mark.parametrize("role", ["policyholder", StaffRole.AGENT])
def test_agents_and_policyholders_get_a_french_403(
    client: TestClient,
    factory: Factory,
    db: Session,
    workbench: Settings,
    tracker: TrackerStore,
    role: object,
) -> None:
    tracker.user_says("bonjour, une question sur mon remboursement")
    before = (workbench.assistant_dir / "data" / "nlu.yml").read_bytes()
    account = factory.staff(role) if isinstance(role, StaffRole) else factory.policyholder()
    assert account.username is not None
    login(client, account.username)
    for path in PAGES:
        response = client.get(path)
        assert response.status_code == 403, path
        assert parse(response.text).find("h1").text == "Accès refusé"
    token = csrf_token(client, "/trainer")  # the sign-out form of the error page
    for path, data in FORMS:
        response = client.post(path, data={**data, "csrf_token": token}, follow_redirects=False)
        assert response.status_code == 403, path
    assert _records(db) == (0, 0, 0)
    assert (workbench.assistant_dir / "data" / "nlu.yml").read_bytes() == before


@pytest.mark.parametrize("role", [StaffRole.TRAINER, StaffRole.ADMIN])
def test_trainers_and_admins_reach_the_workbench(
    client: TestClient, factory: Factory, workbench: Settings, role: StaffRole
) -> None:
    login(client, factory.staff(role).username)
    for path in (
        "/trainer",
        "/trainer/messages",
        "/trainer/intentions",
        "/trainer/journal",
        "/trainer/statistiques",
    ):
        assert client.get(path).status_code == 200, path


def test_posts_without_the_csrf_token_are_refused(signed_in: TestClient, db: Session) -> None:
    for path, data in FORMS:
        response = signed_in.post(path, data=data, follow_redirects=False)
        assert response.status_code == 403, path
    assert _records(db) == (0, 0, 0)
