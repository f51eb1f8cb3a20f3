"""The pages' sessions: a copied cookie dies with the session, the password page ends the
other sessions, an administrator's decision signs people out at once."""

from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from api.accounts.models import AuthSession, SessionOrigin, StaffRole
from tests.accounts.helpers import sign_in
from tests.factories import PASSWORD, Factory
from tests.web.helpers import csrf_token, login, post_form, signed_in_session
from tests.web.markup import parse, unlabelled_fields

NEW_PASSWORD = "une phrase de passe toute neuve"


@pytest.fixture
def second(app: FastAPI) -> TestClient:
    """Another browser."""
    return TestClient(app)


def _copy_cookie(source: TestClient, target: TestClient) -> None:
    target.cookies.set("vigilance_session", source.cookies["vigilance_session"])


def test_a_copied_cookie_opens_nothing_after_signing_out(
    client: TestClient, second: TestClient, factory: Factory, db: Session
) -> None:
    factory.policyholder("camille")
    login(client, "camille")
    _copy_cookie(client, second)
    assert second.get("/compte").status_code == 200
    post_form(client, "/deconnexion", {}, token_from="/compte")
    response = second.get("/compte", follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (
        303,
        "/connexion?next=%2Fcompte",
    )
    [record] = db.scalars(select(AuthSession))
    assert (record.origin, record.end_reason) == (SessionOrigin.WEB, "signed_out")


def test_reading_a_page_writes_nothing_to_the_session(
    client: TestClient, factory: Factory, db: Session
) -> None:
    factory.staff(StaffRole.AGENT, "agnes")
    login(client, "agnes")
    before = [
        (r.id, r.created_at, r.expires_at, r.ended_at) for r in db.scalars(select(AuthSession))
    ]
    for _ in range(3):
        assert client.get("/agent").status_code == 200
    db.expire_all()
    after = [
        (r.id, r.created_at, r.expires_at, r.ended_at) for r in db.scalars(select(AuthSession))
    ]
    assert before == after and len(after) == 1


def test_a_web_session_ends_at_its_absolute_expiry(
    client: TestClient, factory: Factory, db: Session
) -> None:
    factory.staff(StaffRole.AGENT, "agnes")
    login(client, "agnes")
    [record] = db.scalars(select(AuthSession))
    hours = (record.expires_at - record.created_at).total_seconds() / 3600
    assert hours == factory.settings.session_max_hours
    db.execute(update(AuthSession).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    db.commit()
    assert client.get("/agent", follow_redirects=False).status_code == 303


def test_signing_in_again_ends_the_previous_session_of_the_browser(
    client: TestClient, factory: Factory, db: Session
) -> None:
    factory.staff(StaffRole.AGENT, "agnes")
    factory.staff(StaffRole.AGENT, "bruno")
    login(client, "agnes")
    first = signed_in_session(client)
    login(client, "bruno")
    assert signed_in_session(client) != first
    ended = [r.end_reason for r in db.scalars(select(AuthSession).order_by(AuthSession.created_at))]
    assert sorted(map(str, ended)) == ["None", "signed_out"]


def test_the_password_page_is_labelled_and_french(client: TestClient, factory: Factory) -> None:
    factory.policyholder("camille")
    assert client.get("/mot-de-passe", follow_redirects=False).status_code == 303
    login(client, "camille")
    response = client.get("/mot-de-passe")
    assert response.template.name == "password.html"
    document = parse(response.text)
    assert document.find("h1").text == "Changer de mot de passe"
    assert unlabelled_fields(document) == []
    fields = {i.attrs["name"]: i.attrs.get("autocomplete") for i in document.find_all("input")}
    assert fields["current_password"] == "current-password"
    assert fields["new_password"] == fields["confirmation"] == "new-password"
    assert document.find("a", href="/mot-de-passe").text == "Mot de passe"


@pytest.mark.parametrize("role", [None, StaffRole.AGENT, StaffRole.TRAINER])
def test_changing_the_password_on_the_page_ends_the_other_sessions(
    client: TestClient, second: TestClient, factory: Factory, role: StaffRole | None
) -> None:
    account = factory.policyholder("camille") if role is None else factory.staff(role, "camille")
    home = {None: "/compte", StaffRole.AGENT: "/agent", StaffRole.TRAINER: "/trainer"}[role]
    login(client, "camille")
    login(second, "camille")
    token = sign_in(second, "camille").json()["access_token"]
    form = {
        "current_password": PASSWORD,
        "new_password": NEW_PASSWORD,
        "confirmation": NEW_PASSWORD,
    }
    response = post_form(client, "/mot-de-passe", form, token_from="/mot-de-passe")
    assert (response.status_code, response.headers["location"]) == (303, home)
    assert second.get(home, follow_redirects=False).status_code == 303
    bearer = {"Authorization": f"Bearer {token}"}
    assert second.get("/api/v1/auth/me", headers=bearer).status_code == 401
    page = client.get("/mot-de-passe")
    assert page.context["messages"] == [
        {
            "level": "success",
            "text": "Votre mot de passe a été changé. Vos autres sessions ont été fermées.",
        }
    ]
    assert account.id and sign_in(client, "camille", NEW_PASSWORD).status_code == 200


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        (
            {"current_password": "", "new_password": NEW_PASSWORD, "confirmation": NEW_PASSWORD},
            "current_password",
            "Saisissez votre mot de passe actuel.",
        ),
        (
            {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirmation": "autre"},
            "confirmation",
            "La confirmation ne correspond pas au nouveau mot de passe.",
        ),
        (
            {"current_password": PASSWORD, "new_password": "court", "confirmation": "court"},
            "new_password",
            "Le nouveau mot de passe doit compter au moins 12 caractères.",
        ),
        (
            {
                "current_password": "faux",
                "new_password": NEW_PASSWORD,
                "confirmation": NEW_PASSWORD,
            },
            "current_password",
            "Le mot de passe actuel est incorrect.",
        ),
    ],
)
def test_the_password_page_explains_its_refusals(
    client: TestClient, factory: Factory, form: dict[str, str], field: str, message: str
) -> None:
    factory.policyholder("camille")
    login(client, "camille")
    response = post_form(client, "/mot-de-passe", form, token_from="/mot-de-passe")
    assert response.status_code in (400, 422)
    # starlette's TestClient adds `template` and `context` to a template's response (untyped)
    assert response.context["errors"] == {field: message}  # type: ignore[attr-defined]
    shown = parse(response.text).find("p", id=f"{field}-erreur")
    assert shown.text == message
    assert sign_in(client, "camille").status_code == 200


def test_the_password_form_needs_the_csrf_token(client: TestClient, factory: Factory) -> None:
    factory.policyholder("camille")
    login(client, "camille")
    form = {
        "current_password": PASSWORD,
        "new_password": NEW_PASSWORD,
        "confirmation": NEW_PASSWORD,
    }
    response = client.post("/mot-de-passe", data={**form, "csrf_token": "forged"})
    assert response.status_code == 403
    assert sign_in(client, "camille").status_code == 200


def test_an_admin_ending_the_sessions_signs_the_browser_out(
    client: TestClient, factory: Factory
) -> None:
    holder = factory.policyholder("camille")
    admin = factory.staff(StaffRole.ADMIN)
    login(client, "camille")
    assert client.get("/compte").status_code == 200
    TestClient(client.app).post(
        f"/api/v1/admin/accounts/policyholder/{holder.id}/sessions/end", headers=factory.auth(admin)
    )
    assert client.get("/compte", follow_redirects=False).status_code == 303
    assert csrf_token(client)  # the sign-in page works again for this browser
