"""The policyholder's pages: who may see them, what they show, escaping, the widget's token."""

from datetime import timedelta

import jwt
import pytest
from fastapi.testclient import TestClient

from api.accounts.auth_sessions import conversation_id
from api.accounts.models import Policyholder, StaffRole
from api.claims.catalogue import ProviderKind
from api.core.config import Settings
from tests.factories import Factory
from tests.web.agent.helpers import TODAY
from tests.web.helpers import login, signed_in_session
from tests.web.markup import duplicate_ids, parse, unlabelled_fields
from tests.web.policyholder.helpers import cell_value

pytestmark = pytest.mark.usefixtures("db")


ACCOUNT_PAGES = ["/compte", "/compte/signalements", "/compte/preferences"]


@pytest.mark.parametrize("path", ACCOUNT_PAGES)
def test_anonymous_visitors_are_sent_to_the_sign_in_page(client: TestClient, path: str) -> None:
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/connexion?next=")


@pytest.mark.parametrize("role", [StaffRole.AGENT, StaffRole.ADMIN, StaffRole.TRAINER])
def test_staff_accounts_get_403(client: TestClient, factory: Factory, role: StaffRole) -> None:
    factory.staff(role, "staff")
    login(client, "staff")
    for path in ACCOUNT_PAGES:
        response = client.get(path)
        assert response.status_code == 403
        assert "data-token" not in response.text


def test_a_policyholder_cannot_open_the_agents_console(signed_in: TestClient) -> None:
    assert signed_in.get("/agent").status_code == 403


def test_payments_show_only_mine_newest_first_escaped(
    signed_in: TestClient, factory: Factory, holder: Policyholder
) -> None:
    other = factory.policyholder("julien")
    evil = factory.provider("<script>alert(1)</script> Dr Martin", ProviderKind.DENTIST)
    dentist = factory.provider("Dr Hélène Garnier", ProviderKind.DENTIST)
    older = factory.claim(holder, dentist, TODAY - timedelta(days=40), "HBLD036")
    newer = factory.claim(holder, evil, TODAY - timedelta(days=2))
    factory.claim(other, dentist, TODAY - timedelta(days=1))

    response = signed_in.get("/compte")
    assert response.status_code == 200
    assert response.template.name == "account/payments.html"
    claims = response.context["claims"]
    assert [c.id for c in claims] == [newer.id, older.id]
    assert "<script>alert(1)</script>" not in response.text
    document = parse(response.text)
    rows = document.find("table").find_all("tr")[1:]
    assert len(rows) == 2
    cells = [cell_value(cell) for cell in rows[1].find_all("td")][:6]
    assert cells[0] == older.care_date.strftime("%d/%m/%Y")
    assert cells[1] == "Dr Hélène Garnier"
    assert cells[3].endswith("€") and cells[4].endswith("€")
    buttons = document.select_class("button", "js-report")
    assert buttons[0].attrs["data-provider"] == "<script>alert(1)</script> Dr Martin"
    assert buttons[1].attrs["data-claim-id"] == str(older.id)
    assert buttons[1].attrs["data-care-date"] == older.care_date.isoformat()
    assert "Signaler ce remboursement" in buttons[1].text
    assert unlabelled_fields(document) == []
    assert duplicate_ids(document) == []


def test_the_page_carries_a_token_for_the_assistant_only(
    signed_in: TestClient, holder: Policyholder, settings: Settings
) -> None:
    response = signed_in.get("/compte")
    widget = parse(response.text).find("section", id="assistant")
    token = widget.attrs["data-token"]
    # A chat token, signed with the channel's key, bound to this web session.
    claims = jwt.decode(token, settings.channel_key, algorithms=["HS256"])
    assert claims["sub"] == str(holder.id) and claims["role"] == "policyholder"
    # Its `sid` is the session's conversation id, not the id the cookie holds.
    session_id = signed_in_session(signed_in)
    assert claims["type"] == "chat" and claims["sid"] == conversation_id(session_id)
    assert session_id not in token
    assert claims["exp"] - claims["iat"] <= 30 * 60
    # The API never takes it as a credential.
    for path in ("/api/v1/claims", "/api/v1/auth/me"):
        refused = signed_in.get(path, headers={"Authorization": f"Bearer {token}"})
        assert refused.status_code == 401
    assert widget.attrs["data-assistant-url"] == settings.assistant_url
    csp = response.headers["content-security-policy"]
    assert "connect-src 'self' http://127.0.0.1:5005 ws://127.0.0.1:5005" in csp
    assert "script-src 'self'" in csp
    assert response.headers["cache-control"] == "no-store"
    # The vendored socket.io client, served from here, never from a CDN.
    scripts = [s.attrs["src"] for s in parse(response.text).find_all("script")]
    assert all(src.startswith("/static/") for src in scripts)
    assert any("vendor/socket.io.min.js" in src for src in scripts)
    assert signed_in.get(scripts[0].split("?")[0]).status_code == 200


def test_the_widget_is_labelled_and_announces_messages(signed_in: TestClient) -> None:
    document = parse(signed_in.get("/compte").text)
    [log] = [e for e in document.iter() if "chat__log" in e.attrs.get("class", "").split()]
    assert log.attrs["aria-live"] == "polite" and log.attrs["role"] == "log"
    assert document.find("label", **{"for": "assistant-message"}).text == "Votre message"
    notice = document.find("aside", **{"aria-labelledby": "prudence-titre"}).text
    assert "mot de passe" in notice and "coordonnées bancaires" in notice
    assert "informations médicales" in notice


def test_unknown_account_address_is_a_french_404(signed_in: TestClient) -> None:
    response = signed_in.get("/compte/nulle-part")
    assert response.status_code == 404
    assert "n'existe pas" in parse(response.text).find("main").text
