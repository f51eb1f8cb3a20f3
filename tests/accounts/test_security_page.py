"""The admins' security page in the console: current locks, unlocking, ending an account's
sessions, the recent events; admins only, every form with its CSRF token."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.accounts.models import SecurityEventKind, StaffRole, StaffUser
from tests.accounts.conftest import Clock
from tests.accounts.helpers import events, sign_in
from tests.factories import Factory
from tests.web.helpers import csrf_token, login, post_form
from tests.web.markup import parse, unlabelled_fields

PAGE = "/agent/securite"


@pytest.fixture
def admin(factory: Factory) -> StaffUser:
    return factory.staff(StaffRole.ADMIN, "nicolas", full_name="Nicolas Admin")


@pytest.fixture
def signed_in(client: TestClient, admin: StaffUser) -> TestClient:
    assert login(client, admin.username).status_code == 303
    return client


def _lock(client: TestClient, username: str, times: int = 5) -> None:
    for _ in range(times):
        sign_in(client, username, "wrong password")


@pytest.mark.parametrize("role", [StaffRole.AGENT, StaffRole.TRAINER, None])
def test_only_admins_see_the_page_or_use_its_forms(
    client: TestClient, factory: Factory, role: StaffRole | None
) -> None:
    account = factory.staff(role) if role else factory.policyholder()
    assert account.username is not None  # a policyholder's is optional; the factory sets one
    login(client, account.username)
    assert client.get(PAGE).status_code == 403
    token = csrf_token(client, "/connexion")
    for path in (f"{PAGE}/deverrouiller", f"{PAGE}/sessions"):
        response = client.post(path, data={"username": "x", "csrf_token": token})
        assert response.status_code == 403, path
    if role is StaffRole.AGENT:
        assert "/agent/securite" not in client.get("/agent").text


def test_the_page_lists_locks_and_events_and_lifts_a_lock(
    signed_in: TestClient, factory: Factory, clock: Clock, db: Session
) -> None:
    factory.policyholder("camille", first_name="Camille")
    _lock(TestClient(signed_in.app), "camille")
    _lock(TestClient(signed_in.app), "<b>inconnu</b>")
    response = signed_in.get(PAGE)
    assert response.status_code == 200
    assert response.template.name == "agent/security.html"
    document = parse(response.text)
    assert unlabelled_fields(document) == []
    assert document.find("a", href=PAGE).attrs["aria-current"] == "page"
    rows = document.find_all("table")[0].find_all("tr")[1:]
    cells = sorted(" | ".join(c.text.strip() for c in row.find_all("td")[:3]) for row in rows)
    assert cells[0].startswith("Identifiant | Assuré n°") and "(camille) | 5" in cells[0]
    assert cells[1] == "Identifiant | Identifiant inconnu | 5"
    assert "<b>inconnu</b>" not in response.text  # the username typed is never stored
    journal = document.find_all("table")[1].text
    assert journal.count("Connexion verrouillée") == 2

    [camille_row] = [row for row in rows if "(camille)" in row.text]
    key = camille_row.find("input", name="key").attrs["value"]
    response = post_form(signed_in, f"{PAGE}/deverrouiller", {"key": key}, token_from=PAGE)
    assert (response.status_code, response.headers["location"]) == (303, PAGE)
    messages = signed_in.get(PAGE).context["messages"]
    assert messages[0]["level"] == "success"
    assert len(events(db, SecurityEventKind.SIGNIN_UNLOCKED)) == 1
    [left] = signed_in.get(PAGE).context["locks"]
    assert left["account"] is None


def test_a_lock_is_lifted_by_username(
    signed_in: TestClient, factory: Factory, clock: Clock, admin: StaffUser, db: Session
) -> None:
    factory.policyholder("camille")
    other = TestClient(signed_in.app)
    _lock(other, "camille")
    assert sign_in(other, "camille").status_code == 429
    post_form(signed_in, f"{PAGE}/deverrouiller", {"username": "camille"}, token_from=PAGE)
    assert sign_in(other, "camille").status_code == 200
    [unlock] = events(db, SecurityEventKind.SIGNIN_UNLOCKED)
    assert unlock.admin_id == admin.id
    again = post_form(signed_in, f"{PAGE}/deverrouiller", {"username": "camille"}, token_from=PAGE)
    assert signed_in.get(again.headers["location"]).context["messages"][0]["level"] == "info"


def test_the_forms_need_their_csrf_token(
    signed_in: TestClient, factory: Factory, clock: Clock
) -> None:
    factory.policyholder("camille")
    _lock(TestClient(signed_in.app), "camille")
    for path in (f"{PAGE}/deverrouiller", f"{PAGE}/sessions"):
        response = signed_in.post(path, data={"username": "camille", "csrf_token": "forged"})
        assert response.status_code == 403
    assert len(signed_in.get(PAGE).context["locks"]) == 1


def test_an_admin_ends_the_sessions_of_an_account_from_the_page(
    signed_in: TestClient, factory: Factory, db: Session
) -> None:
    factory.staff(StaffRole.AGENT, "agnes")
    agent_browser = TestClient(signed_in.app)
    login(agent_browser, "agnes")
    assert agent_browser.get("/agent").status_code == 200
    response = post_form(signed_in, f"{PAGE}/sessions", {"username": "agnes"}, token_from=PAGE)
    assert response.headers["location"] == PAGE
    assert agent_browser.get("/agent", follow_redirects=False).status_code == 303
    [ended] = events(db, SecurityEventKind.SESSIONS_ENDED)
    assert ended.sessions_ended == 1
    unknown = post_form(signed_in, f"{PAGE}/sessions", {"username": "personne"}, token_from=PAGE)
    messages = signed_in.get(unknown.headers["location"]).context["messages"]
    assert messages == [{"level": "error", "text": "Aucun compte ne porte cet identifiant."}]
