"""The policyholder's pages: who may see them, what they show, escaping, the widget's token."""

from datetime import timedelta

import jwt
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.accounts.auth_sessions import conversation_id
from api.accounts.models import Policyholder, StaffRole
from api.claims.catalogue import ProviderKind
from api.core.config import Settings
from api.reports.complements import add_complement
from api.reports.models import Report, ReportEvent
from api.reports.workflow import EventKind, ReportStatus
from tests.factories import Factory
from tests.web.agent.helpers import TODAY, file
from tests.web.helpers import csrf_token, login, signed_in_session
from tests.web.markup import duplicate_ids, parse, unlabelled_fields

pytestmark = pytest.mark.usefixtures("db")


@pytest.fixture
def holder(factory: Factory) -> Policyholder:
    return factory.policyholder("camille", first_name="Camille", last_name="Bernard")


@pytest.fixture
def signed_in(client: TestClient, holder: Policyholder) -> TestClient:
    assert login(client, "camille").headers["location"] == "/compte"
    return client


@pytest.mark.parametrize("path", ["/compte", "/compte/signalements"])
def test_anonymous_visitors_are_sent_to_the_sign_in_page(client: TestClient, path: str) -> None:
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/connexion?next=")


@pytest.mark.parametrize("role", [StaffRole.AGENT, StaffRole.ADMIN, StaffRole.TRAINER])
def test_staff_accounts_get_403(client: TestClient, factory: Factory, role: StaffRole) -> None:
    factory.staff(role, "staff")
    login(client, "staff")
    for path in ("/compte", "/compte/signalements"):
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
    cells = [cell.text.strip() for cell in rows[1].find_all("td")][:6]
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
    log = document.select_class("ol", "chat__log")[0]
    assert log.attrs["aria-live"] == "polite" and log.attrs["role"] == "log"
    assert document.find("label", **{"for": "assistant-message"}).text == "Votre message"
    notice = document.find("aside", **{"aria-labelledby": "prudence-titre"}).text
    assert "mot de passe" in notice and "coordonnées bancaires" in notice
    assert "informations médicales" in notice


def test_reports_page_lists_mine_with_reference_date_and_status(
    signed_in: TestClient, factory: Factory, holder: Policyholder, db: Session
) -> None:
    other = factory.policyholder("julien")
    mine = file(db, holder.id, provider_name="<b>Dr Garnier</b>")
    file(db, other.id, provider_name="Dr Autre")
    response = signed_in.get("/compte/signalements")
    assert response.status_code == 200
    assert response.template.name == "account/reports.html"
    assert [r.id for r in response.context["reports"]] == [mine.id]
    row = parse(response.text).find("table").find_all("tr")[1]
    cells = [cell.text.strip() for cell in row.find_all("td")]
    assert cells[0] == mine.reference
    assert cells[1] == TODAY.strftime("%d/%m/%Y")
    assert cells[3] == "<b>Dr Garnier</b>"
    assert cells[4] == "Reçu"
    assert "Dr Autre" not in response.text


def test_no_reports_yet_says_how_to_make_one(signed_in: TestClient) -> None:
    text = parse(signed_in.get("/compte/signalements").text).find("main").text
    assert "aucun signalement" in text


def test_unknown_account_address_is_a_french_404(signed_in: TestClient) -> None:
    response = signed_in.get("/compte/nulle-part")
    assert response.status_code == 404
    assert "n'existe pas" in parse(response.text).find("main").text


def complements_of(db: Session, report: Report) -> list[str | None]:
    db.commit()  # end the read transaction: SQLite would keep showing its snapshot
    stmt = select(ReportEvent.note).where(
        ReportEvent.report_id == report.id, ReportEvent.kind == EventKind.COMPLEMENT
    )
    return list(db.scalars(stmt.order_by(ReportEvent.id)))


def test_reports_page_shows_my_complements_and_offers_to_complete_open_reports(
    signed_in: TestClient, holder: Policyholder, db: Session
) -> None:
    open_report = file(db, holder.id, provider_name="Dr Garnier")
    closed = file(db, holder.id, provider_name="Taxi Bleu")
    closed.status = ReportStatus.UNFOUNDED
    db.commit()
    typed = "<script>alert(1)</script> la facture ne mentionne qu'un détartrage"
    add_complement(
        session=db,
        reference=open_report.reference,
        policyholder_id=holder.id,
        text=typed,
        idempotency_key=None,
    )
    db.commit()
    response = signed_in.get("/compte/signalements")
    assert "<script>alert(1)</script>" not in response.text
    document = parse(response.text)
    rows = {
        row.find_all("td")[0].text.strip(): row for row in document.find("table").find_all("tr")[1:]
    }
    assert rows[open_report.reference].find("span", class_="typed").text == typed
    assert rows[closed.reference].find_all("td")[5].text.strip() == "Aucun"
    form = document.find("form", action="/compte/signalements/complement")
    options = [o.attrs["value"] for o in form.find("select", name="reference").find_all("option")]
    assert options == [open_report.reference]  # a closed report takes no complement
    assert form.find("textarea", name="text").attrs["maxlength"] == "2000"
    assert unlabelled_fields(document) == []
    assert duplicate_ids(document) == []


def test_a_complement_sent_from_the_page_is_added_once(
    signed_in: TestClient, holder: Policyholder, db: Session
) -> None:
    report = file(db, holder.id)
    form = parse(signed_in.get("/compte/signalements").text).find(
        "form", action="/compte/signalements/complement"
    )
    fields = {
        "csrf_token": form.find("input", name="csrf_token").attrs["value"],
        "key": form.find("input", name="key").attrs["value"],
        "reference": report.reference,
        "text": "  Le cabinet m'a rappelé : aucune couronne n'a été posée.  ",
    }
    for _ in range(2):  # a double click, or the browser sending the form again
        response = signed_in.post("/compte/signalements/complement", data=fields)
        assert response.url.path == "/compte/signalements"
        messages = response.context["messages"]
        assert messages == [
            {
                "level": "success",
                "text": f"Votre complément a été ajouté au signalement {report.reference}.",
            }
        ]
    assert complements_of(db, report) == ["Le cabinet m'a rappelé : aucune couronne n'a été posée."]


def test_a_refused_complement_from_the_page_says_why(
    signed_in: TestClient, factory: Factory, holder: Policyholder, db: Session
) -> None:
    mine = file(db, holder.id)
    theirs = file(db, factory.policyholder().id)
    token = csrf_token(signed_in, "/compte/signalements")
    cases = [
        (mine.reference, "   ", "Écrivez votre complément avant de l'envoyer."),
        (mine.reference, "x" * 2001, "Votre complément est trop long : 2000 caractères au plus."),
        (theirs.reference, "Précision.", "Ce signalement est introuvable."),
    ]
    for reference, text, message in cases:
        response = signed_in.post(
            "/compte/signalements/complement",
            data={"csrf_token": token, "reference": reference, "text": text},
        )
        messages = response.context["messages"]
        assert messages == [{"level": "error", "text": message}]
    forged = signed_in.post(
        "/compte/signalements/complement",
        data={"reference": mine.reference, "text": "Précision."},
        follow_redirects=False,
    )
    assert forged.status_code == 403
    assert complements_of(db, mine) == complements_of(db, theirs) == []
