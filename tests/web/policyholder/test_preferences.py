"""« Mes préférences »: the payment emails on or off, saved with the CSRF token, and honoured by
the real path of a payment notice (recording a claim, then the worker and its SMTP server)."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.accounts.models import Policyholder, StaffRole
from api.core.db import utcnow
from api.notifications.models import NotificationState
from api.web.policyholder.submissions import EMAILS_OFF, EMAILS_ON
from tests.factories import Factory
from tests.notifications.conftest import mail, smtp_server, worker
from tests.notifications.support import SmtpRecorder, Worker, outbox
from tests.web.agent.helpers import TODAY
from tests.web.helpers import csrf_token
from tests.web.markup import parse, unlabelled_fields

pytestmark = pytest.mark.usefixtures("db")
# The notification tests' real SMTP server and worker.
__all__ = ["mail", "smtp_server", "worker"]


def box(client: TestClient) -> bool:
    page = parse(client.get("/compte/preferences").text)
    checkbox = page.find("input", name="payment_emails")
    assert page.find("label", **{"for": checkbox.attrs["id"]}).text == (
        "Recevoir un courriel après chaque paiement"
    )
    assert unlabelled_fields(page) == []
    return "checked" in checkbox.attrs


def record_claim(client: TestClient, factory: Factory, holder: Policyholder) -> None:
    admin = factory.staff(StaffRole.ADMIN)
    provider = factory.provider()
    response = client.post(
        "/api/v1/claims",
        headers=factory.auth(admin),
        json={
            "policyholder_id": holder.id,
            "provider_id": provider.id,
            "act_code": "G",
            "care_date": (TODAY - timedelta(days=2)).isoformat(),
            "amount_billed": 30,
            "amount_reimbursed": 20,
        },
    )
    assert response.status_code == 201, response.text


def test_the_menu_leads_to_my_preferences(signed_in: TestClient) -> None:
    response = signed_in.get("/compte/preferences")
    assert response.template.name == "account/preferences.html"
    nav = parse(response.text).find("nav", **{"aria-label": "Menu de mon compte"})
    current = nav.find("a", **{"aria-current": "page"})
    assert (current.text, current.attrs["href"]) == ("Mes préférences", "/compte/preferences")


def test_turned_off_no_payment_email_leaves_turned_on_again_it_does(
    signed_in: TestClient,
    factory: Factory,
    holder: Policyholder,
    db: Session,
    worker: Worker,
    smtp_server: SmtpRecorder,
) -> None:
    assert box(signed_in) is True
    token = csrf_token(signed_in, "/compte/preferences")
    saved = signed_in.post("/compte/preferences", data={"csrf_token": token})
    assert saved.url.path == "/compte/preferences"
    assert saved.context["messages"] == [{"level": "success", "text": EMAILS_OFF}]
    assert "\u00a0: vous ne recevrez plus" in EMAILS_OFF
    assert box(signed_in) is False
    db.expire_all()
    assert db.get(Policyholder, holder.id).notify_payments is False  # type: ignore[union-attr]

    record_claim(signed_in, factory, holder)
    assert outbox(db) == []
    assert worker.run(utcnow() + timedelta(minutes=1)).sent == 0
    assert smtp_server.received == []

    again = signed_in.post(
        "/compte/preferences", data={"csrf_token": token, "payment_emails": "oui"}
    )
    assert again.context["messages"] == [{"level": "success", "text": EMAILS_ON}]
    assert box(signed_in) is True
    record_claim(signed_in, factory, holder)
    assert worker.run(utcnow() + timedelta(minutes=1)).sent == 1
    assert [n.state for n in outbox(db)] == [NotificationState.SENT]
    [email] = smtp_server.received
    assert email["To"] == holder.email
    text = email.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert "«\u00a0Mes préférences\u00a0» (page /compte/preferences)" in text


def test_an_email_already_planned_is_cancelled_when_i_opt_out(
    signed_in: TestClient,
    factory: Factory,
    holder: Policyholder,
    db: Session,
    worker: Worker,
    smtp_server: SmtpRecorder,
) -> None:
    record_claim(signed_in, factory, holder)
    assert len(outbox(db)) == 1
    signed_in.post("/compte/preferences", data={"csrf_token": csrf_token(signed_in, "/compte")})
    assert worker.run(utcnow() + timedelta(minutes=1)).sent == 0
    assert [n.state for n in outbox(db)] == [NotificationState.CANCELLED]
    assert smtp_server.received == []


def test_without_the_csrf_token_nothing_changes(
    signed_in: TestClient, holder: Policyholder, db: Session
) -> None:
    forged = signed_in.post("/compte/preferences", data={}, follow_redirects=False)
    assert forged.status_code == 403
    db.expire_all()
    assert db.get(Policyholder, holder.id).notify_payments is True  # type: ignore[union-attr]
    assert box(signed_in) is True
