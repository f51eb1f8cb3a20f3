"""A forgotten password, through the pages and a real SMTP server: the same answer for every
identifier, one email with a link that works once, for an hour, and is never kept or logged."""

import logging
import re
import time
from email.message import EmailMessage
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect, select, text
from sqlalchemy.orm import Session

from api.accounts import reset_tokens
from api.accounts.models import Policyholder, SecurityEvent, SecurityEventKind, StaffRole
from api.accounts.password_reset import EXPIRED, INVALID
from api.core.config import Settings
from tests.factories import PASSWORD, Factory
from tests.notifications.support import SmtpRecorder
from tests.web.helpers import LOGIN, csrf_token, login
from tests.web.markup import parse

pytestmark = pytest.mark.usefixtures("db")

FORGOT = "/mot-de-passe-oublie"
NEW = "/mot-de-passe-oublie/nouveau"
NEW_PASSWORD = "un tout nouveau secret 2026"


def squeeze(text: str) -> str:
    """Runs of ordinary white space as one space; no-break spaces kept (they are checked)."""
    return re.sub(r"[ \t\r\n]+", " ", text).strip()


def ask(client: TestClient, identifier: str) -> httpx.Response:
    token = csrf_token(client, FORGOT)
    return client.post(FORGOT, data={"identifier": identifier, "csrf_token": token})


def main_text(response: httpx.Response) -> str:
    return squeeze(parse(response.text).find("main").text)


def link_in(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    found = re.findall(r"http://testserver\S+", body.get_content())
    assert len(found) == 1
    return found[0]


def token_of(link: str) -> str:
    parts = urlsplit(link)
    assert parts.path == NEW
    return parse_qs(parts.query)["jeton"][0]


def choose(client: TestClient, token: str, password: str = NEW_PASSWORD) -> httpx.Response:
    form = {"jeton": token, "new_password": password, "confirmation": password}
    form["csrf_token"] = csrf_token(client, FORGOT)
    return client.post(NEW, data=form, follow_redirects=False)


@pytest.fixture
def holder(factory: Factory) -> Policyholder:
    return factory.policyholder("camille", email="camille@example.fr")


def test_known_and_unknown_identifiers_get_the_same_answer(
    mail_client: TestClient, smtp_server: SmtpRecorder, holder: Policyholder, factory: Factory
) -> None:
    factory.staff(StaffRole.AGENT, "agnes")
    answers = [ask(mail_client, name) for name in ("personne", "agnes", "camille")]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert [str(a.url.path) for a in answers] == ["/mot-de-passe-oublie/envoye"] * 3
    assert len({main_text(a) for a in answers}) == 1
    assert "Si un compte correspond" in main_text(answers[0])
    assert len(smtp_server.received) == 1  # the policyholder's only: staff have no address
    message = smtp_server.received[0]
    assert smtp_server.handler.recipients == [["camille@example.fr"]]
    assert "camille" in message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert link_in(message).startswith(f"http://testserver{NEW}?jeton=")


def test_the_link_sets_a_new_password_once(
    mail_client: TestClient, smtp_server: SmtpRecorder, holder: Policyholder, db: Session
) -> None:
    ask(mail_client, "camille@example.fr")  # the address works as well as the identifier
    link = link_in(smtp_server.received[0])
    token = token_of(link)

    form_page = mail_client.get(link)
    assert form_page.status_code == 200
    assert form_page.headers["referrer-policy"] == "no-referrer"
    assert parse(form_page.text).find("input", name="jeton").attrs["value"] == token

    done = choose(mail_client, token)
    assert done.status_code == 303 and done.headers["location"] == LOGIN
    assert "Votre mot de passe a été changé" in mail_client.get(LOGIN).text
    assert login(mail_client, "camille", PASSWORD).status_code == 400
    assert login(mail_client, "camille", NEW_PASSWORD).headers["location"] == "/compte"
    events = db.scalars(select(SecurityEvent.kind)).all()
    assert SecurityEventKind.PASSWORD_CHANGED in events

    again = mail_client.get(link)
    assert again.status_code == 400
    assert INVALID in main_text(again)
    assert choose(mail_client, token, "encore un autre secret 99").status_code == 400
    retry = parse(again.text).find("a", class_="button")
    assert retry.attrs["href"] == FORGOT and retry.text == "Demander un nouveau lien"


def test_the_new_password_follows_the_rules_of_a_change(
    mail_client: TestClient, smtp_server: SmtpRecorder, holder: Policyholder
) -> None:
    ask(mail_client, "camille")
    token = token_of(link_in(smtp_server.received[0]))
    short = choose(mail_client, token, "court")
    assert short.status_code == 400
    assert "au moins 12 caractères" in main_text(short)
    same = choose(mail_client, token, PASSWORD)
    assert "différent de l'actuel" in main_text(same)
    form = {"jeton": token, "new_password": NEW_PASSWORD, "confirmation": "autre chose"}
    form["csrf_token"] = csrf_token(mail_client, FORGOT)
    mismatch = mail_client.post(NEW, data=form)
    assert "La confirmation ne correspond pas" in main_text(mismatch)
    assert choose(mail_client, token).status_code == 303  # the link still works after that


def test_an_expired_or_forged_link_is_refused_in_french(
    mail_client: TestClient, holder: Policyholder, settings: Settings
) -> None:
    assert holder.password_hash
    two_hours_ago = time.time() - 2 * 3600
    expired, _ = reset_tokens.mint(
        account_id=holder.id,
        password_hash=holder.password_hash,
        secret=settings.signing_key,
        now=two_hours_ago,
    )
    forged, _ = reset_tokens.mint(
        account_id=holder.id, password_hash=holder.password_hash, secret="x" * 40, now=time.time()
    )
    response = mail_client.get(NEW, params={"jeton": expired})
    assert response.status_code == 400
    assert EXPIRED in main_text(response)
    for token in (forged, "", "n'importe quoi", f"{holder.id}.1.{'a' * 43}"):
        response = mail_client.get(NEW, params={"jeton": token})
        assert response.status_code == 400, token
        assert INVALID in main_text(response)
        assert choose(mail_client, token).status_code == 400
    assert login(mail_client, "camille", PASSWORD).status_code == 303


def test_the_token_is_neither_logged_nor_stored(
    mail_client: TestClient,
    smtp_server: SmtpRecorder,
    holder: Policyholder,
    db: Session,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    ask(mail_client, "camille")
    token = token_of(link_in(smtp_server.received[0]))
    mail_client.get(NEW, params={"jeton": token})
    choose(mail_client, token, "court")
    server_side = [
        r.getMessage() for r in caplog.records if not r.name.startswith(("httpx", "mail.log"))
    ]
    assert server_side and not any(token in line for line in server_side)
    signature = token.rsplit(".", 1)[1]
    for table in inspect(db.get_bind()).get_table_names():
        rows = db.execute(text(f'SELECT * FROM "{table}"')).all()  # noqa: S608 - our tables
        assert not any(signature in str(value) for row in rows for value in row), table


def test_requests_are_throttled_without_telling_whether_the_account_exists(
    mail_client: TestClient, smtp_server: SmtpRecorder, holder: Policyholder
) -> None:
    answers = [ask(mail_client, name).status_code for name in ["camille"] * 6]
    assert answers[:5] == [200] * 5 and answers[5] == 429
    unknown = [ask(mail_client, name).status_code for name in ["personne"] * 6]
    assert unknown == answers
    refused = ask(mail_client, "personne")
    assert "Trop de demandes" in main_text(refused) and "Retry-After" in refused.headers
    assert len(smtp_server.received) == 5
    # Signing in is counted apart: still possible.
    assert login(mail_client, "camille").status_code == 303


def test_without_a_mail_server_the_answer_is_the_same(
    client: TestClient, holder: Policyholder
) -> None:
    response = ask(client, "camille")
    assert response.status_code == 200
    assert "Si un compte correspond" in main_text(response)
