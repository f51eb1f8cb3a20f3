"""One sign-in page for every role: signed cookie, CSRF, where each role lands, signing out."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.accounts.models import StaffRole
from api.core.config import Settings
from api.main import create_app
from tests.factories import PASSWORD, Factory
from tests.web.helpers import LOGIN, csrf_token, login
from tests.web.markup import parse, unlabelled_fields

pytestmark = pytest.mark.usefixtures("db")


def test_sign_in_page_is_french_labelled_and_carries_a_csrf_token(client: TestClient) -> None:
    response = client.get(LOGIN, params={"next": "/agent/signalements?status=received"})
    assert response.status_code == 200
    assert response.template.name == "login.html"
    context = response.context
    assert context["next_path"] == "/agent/signalements?status=received"
    assert context["error"] is None and context["principal"] is None
    page = parse(response.text)
    assert page.find("html").attrs["lang"] == "fr"
    assert page.find("h1").text == "Connexion"
    assert page.find("a", class_="skip-link").attrs["href"] == "#contenu"
    assert unlabelled_fields(page) == []
    assert page.find("input", name="csrf_token").attrs["value"] == context["csrf_token"]
    assert page.find("input", name="next").attrs["value"] == "/agent/signalements?status=received"


def test_agent_signs_in_and_lands_on_the_console(client: TestClient, factory: Factory) -> None:
    factory.staff(StaffRole.AGENT, "agnes")
    response = login(client, "agnes")
    assert response.status_code == 303
    assert response.headers["location"] == "/agent"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("vigilance_session=")
    flags = {part.strip().lower() for part in cookie.split(";")}
    assert {"httponly", "samesite=lax", "path=/"} <= flags
    assert "secure" not in flags  # COOKIE_SECURE is off by default (http://127.0.0.1)
    assert client.get("/agent").status_code == 200


def test_session_cookie_is_secure_when_configured(
    settings: Settings, factory: Factory, db: Session
) -> None:
    factory.staff(StaffRole.AGENT, "agnes")
    app = create_app(settings.model_copy(update={"cookie_secure": True}))
    with TestClient(app, base_url="https://testserver") as client:
        response = login(client, "agnes")
        assert "secure" in response.headers["set-cookie"].lower().split("; ")
    app.state.engine.dispose()


def test_admin_lands_on_the_console_too(client: TestClient, factory: Factory) -> None:
    factory.staff(StaffRole.ADMIN, "nicolas")
    assert login(client, "nicolas").headers["location"] == "/agent"


def test_the_page_asked_for_is_opened_after_signing_in(
    client: TestClient, factory: Factory
) -> None:
    factory.staff(StaffRole.AGENT, "agnes")
    first = client.get("/agent/signalements?status=received", follow_redirects=False)
    assert first.status_code == 303
    assert (
        first.headers["location"] == "/connexion?next=%2Fagent%2Fsignalements%3Fstatus%3Dreceived"
    )
    response = login(client, "agnes", next_path="/agent/signalements?status=received")
    assert response.headers["location"] == "/agent/signalements?status=received"


@pytest.mark.parametrize(
    "next_path",
    [
        "https://evil.example/agent",
        "//evil.example/agent",
        "/\\evil.example",
        "agent",
        "javascript:x",
    ],
)
def test_next_never_leads_to_another_site(
    client: TestClient, factory: Factory, next_path: str
) -> None:
    factory.staff(StaffRole.AGENT, "agnes")
    assert login(client, "agnes", next_path=next_path).headers["location"] == "/agent"


@pytest.mark.parametrize(("username", "password"), [("agnes", "wrong"), ("nobody", PASSWORD)])
def test_wrong_credentials_get_one_french_message_and_no_session(
    client: TestClient, factory: Factory, username: str, password: str
) -> None:
    factory.staff(StaffRole.AGENT, "agnes")
    response = login(client, username, password)
    assert response.status_code == 400
    # starlette's TestClient adds `template` and `context` to a template's response (untyped)
    assert response.context["error"] == "Identifiant ou mot de passe incorrect."  # type: ignore[attr-defined]
    alert = parse(response.text).find("p", role="alert")
    assert alert.text == "Identifiant ou mot de passe incorrect."
    assert client.get("/agent", follow_redirects=False).status_code == 303


def test_deactivated_staff_cannot_sign_in(client: TestClient, factory: Factory) -> None:
    factory.staff(StaffRole.AGENT, "agnes", is_active=False)
    assert login(client, "agnes").status_code == 400


def test_demo_accounts_are_refused_outside_demo_mode(client: TestClient, factory: Factory) -> None:
    factory.staff(StaffRole.AGENT, "agent", is_demo=True)
    assert login(client, "agent").status_code == 400


def test_sign_in_without_csrf_token_is_refused(client: TestClient, factory: Factory) -> None:
    factory.staff(StaffRole.AGENT, "agnes")
    client.get(LOGIN)
    response = client.post(LOGIN, data={"username": "agnes", "password": PASSWORD})
    assert response.status_code == 403
    assert response.template.name == "error.html"
    assert "Ce formulaire a expiré" in parse(response.text).find("main").text
    assert client.get("/agent", follow_redirects=False).status_code == 303


def test_signing_in_renews_the_csrf_token(client: TestClient, factory: Factory) -> None:
    factory.staff(StaffRole.AGENT, "agnes")
    before = csrf_token(client)
    login(client, "agnes")
    assert csrf_token(client, "/agent") != before


def test_trainers_land_on_their_workbench_and_not_in_the_console(
    client: TestClient, factory: Factory
) -> None:
    account = factory.staff(StaffRole.TRAINER, "thomas")
    response = login(client, account.username)
    assert response.headers["location"] == "/trainer"
    assert client.get("/agent").status_code == 403


def test_signed_in_agent_opening_the_sign_in_page_goes_to_the_console(
    client: TestClient, factory: Factory
) -> None:
    factory.staff(StaffRole.AGENT, "agnes")
    login(client, "agnes")
    response = client.get(LOGIN, follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/agent")


def test_sign_out_ends_the_session(client: TestClient, factory: Factory) -> None:
    factory.staff(StaffRole.AGENT, "agnes")
    login(client, "agnes")
    token = csrf_token(client, "/agent")
    response = client.post("/deconnexion", data={"csrf_token": token}, follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, LOGIN)
    page = client.get(LOGIN)
    assert page.context["messages"] == [{"level": "info", "text": "Vous êtes déconnecté."}]
    assert client.get("/agent", follow_redirects=False).status_code == 303


def test_sign_out_needs_the_csrf_token(client: TestClient, factory: Factory) -> None:
    factory.staff(StaffRole.AGENT, "agnes")
    login(client, "agnes")
    assert client.post("/deconnexion", data={"csrf_token": "forged"}).status_code == 403
    assert client.get("/agent").status_code == 200


def test_a_deactivated_agent_is_out_at_once(
    client: TestClient, factory: Factory, db: Session
) -> None:
    agent = factory.staff(StaffRole.AGENT, "agnes")
    login(client, "agnes")
    assert client.get("/agent").status_code == 200
    agent.is_active = False
    db.commit()
    response = client.get("/agent", follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/connexion?next=%2Fagent")


def test_a_forged_session_cookie_is_ignored(client: TestClient, factory: Factory) -> None:
    factory.staff(StaffRole.AGENT, "agnes")
    client.cookies.set("vigilance_session", "eyJhY2NvdW50X2lkIjogMSwgInJvbGUiOiAiYWdlbnQifQ==.x.y")
    assert client.get("/agent", follow_redirects=False).status_code == 303


def test_sign_in_page_says_what_the_site_is_and_offers_a_forgotten_password_path(
    client: TestClient,
) -> None:
    page = parse(client.get(LOGIN).text)
    main = page.find("main")
    assert "signalez à l'assistant" in main.text
    links = {a.text: a.attrs["href"] for a in main.find_all("a")}
    assert links["Mot de passe oublié\u00a0?"] == "/mot-de-passe-oublie"
    assert links["En savoir plus sur ce service"] == "/"
