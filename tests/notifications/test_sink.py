"""The local mail sink: keeps what it receives and shows it, escaped, in the browser."""

import smtplib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import httpx
import pytest
from sqlalchemy.orm import Session

from api.notifications import service
from api.notifications.sink import MailSink
from tests.factories import Factory
from tests.notifications.support import Worker, free_port, mail_settings_for


@pytest.fixture
def sink(tmp_path: Path) -> Iterator[MailSink]:
    mail_sink = MailSink(tmp_path / "mail", smtp_port=free_port(), web_port=0)
    mail_sink.start()
    yield mail_sink
    mail_sink.stop()


def smtp_port(sink: MailSink) -> int:
    return sink.smtp.port


def send(sink: MailSink, subject: str, text: str, html: str | None = None) -> None:
    message = EmailMessage()
    message["From"] = "expediteur@example.fr"
    message["To"] = "destinataire@example.fr"
    message["Subject"] = subject
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    with smtplib.SMTP("127.0.0.1", smtp_port(sink), timeout=5) as smtp:
        smtp.send_message(message)


def test_an_empty_inbox_says_so(sink: MailSink) -> None:
    response = httpx.get(sink.web_url + "/")
    assert response.status_code == 200
    assert "Aucun courriel reçu pour l'instant." in response.text
    assert response.headers["content-security-policy"].startswith("default-src 'none'")


def test_received_messages_are_listed_and_shown_escaped(sink: MailSink) -> None:
    send(
        sink,
        "<b>Objet</b> piégé",
        "Texte <script>alert(1)</script> é",
        "<p>Bonjour</p><script>alert(2)</script>",
    )
    listing = httpx.get(sink.web_url + "/").text
    assert "&lt;b&gt;Objet&lt;/b&gt; piégé" in listing
    assert "<b>Objet</b>" not in listing
    assert "destinataire@example.fr" in listing
    link = listing.split('href="/messages/', 1)[1].split('"', 1)[0]

    page = httpx.get(f"{sink.web_url}/messages/{link}")
    assert page.status_code == 200
    assert "Texte &lt;script&gt;alert(1)&lt;/script&gt; é" in page.text
    assert "<script>" not in page.text

    html = httpx.get(f"{sink.web_url}/messages/{link}.html")
    assert html.status_code == 200
    assert "<p>Bonjour</p>" in html.text
    assert html.headers["content-security-policy"].startswith("sandbox;")


def test_unknown_pages_and_writes_are_refused(sink: MailSink) -> None:
    assert httpx.get(sink.web_url + "/messages/inconnu").status_code == 404
    assert httpx.get(sink.web_url + "/messages/..%2F..%2Fetc%2Fpasswd").status_code == 404
    assert httpx.get(sink.web_url + "/autre").status_code == 404
    assert httpx.post(sink.web_url + "/", content=b"x").status_code == 501
    assert httpx.head(sink.web_url + "/").status_code == 200


def test_messages_survive_a_restart(tmp_path: Path) -> None:
    first = MailSink(tmp_path / "mail", smtp_port=free_port(), web_port=0)
    first.start()
    send(first, "Gardé", "Toujours là")
    first.stop()
    again = MailSink(tmp_path / "mail", smtp_port=free_port(), web_port=0)
    again.start()
    try:
        assert "Gardé" in httpx.get(again.web_url + "/").text
    finally:
        again.stop()


def test_a_newcomer_reads_the_payment_notice_in_the_sink(
    sink: MailSink, worker: Worker, factory: Factory, db: Session
) -> None:
    holder = factory.policyholder(first_name="Camille", last_name="<Bernard>")
    now = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    service.queue_payment_notice(
        session=db, policyholder=holder, now=now, window=timedelta(days=15)
    )
    db.commit()
    assert worker.run(now, mail=mail_settings_for(smtp_port(sink))).sent == 1
    listing = httpx.get(sink.web_url + "/").text
    assert "Information de paiement" in listing
    link = listing.split('href="/messages/', 1)[1].split('"', 1)[0]
    page = httpx.get(f"{sink.web_url}/messages/{link}").text
    assert "Bonjour Camille &lt;Bernard&gt;," in page
    assert "«\u00a0signaler un remboursement suspect\u00a0»" in page
