"""The payment notice: succinct, in French, two parts, nothing about the care, names escaped."""

import email.policy
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from email import message_from_bytes
from email.message import EmailMessage
from html.parser import HTMLParser

from fastapi.testclient import TestClient

from api.accounts.models import StaffRole
from api.claims.catalogue import ProviderKind
from api.core.clock import local_today
from api.core.db import utcnow
from api.notifications.message import Letterhead, build_payment_notice
from api.notifications.models import NotificationKind
from api.notifications.service import Lease
from tests.factories import Factory
from tests.notifications.support import ACCOUNT_URL, SENDER, SmtpRecorder, Worker

NOW = datetime(2026, 11, 20, 8, 30, tzinfo=UTC)
LETTERHEAD = Letterhead(sender=SENDER, account_url=ACCOUNT_URL)


def lease(first_name: str = "Camille", last_name: str = "Bernard", **fields: object) -> Lease:
    values: dict[str, object] = {
        "notification_id": 7,
        "attempt": 1,
        "expires_at": NOW + timedelta(minutes=15),
        "kind": NotificationKind.PAYMENT_NOTICE,
        "subject": "Information de paiement",
        "created_at": NOW,
        "to_address": "camille@example.fr",
        "first_name": first_name,
        "last_name": last_name,
    }
    values.update(fields)
    # Each test overrides some fields: mypy cannot match a dict's keys to Lease's arguments.
    return Lease(**values)  # type: ignore[arg-type]


def parts(message: EmailMessage) -> tuple[str, str]:
    text_part = message.get_body(preferencelist=("plain",))
    html_part = message.get_body(preferencelist=("html",))
    assert isinstance(text_part, EmailMessage) and isinstance(html_part, EmailMessage)
    return text_part.get_content(), html_part.get_content()


class Markup(HTMLParser):
    """The tags and the visible text of an HTML document."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    @property
    def visible_text(self) -> str:
        return " ".join(" ".join(self.text).split())


def test_both_parts_say_the_essentials_in_french() -> None:
    message = build_payment_notice(lease=lease(), letterhead=LETTERHEAD, now=NOW)
    assert message["Subject"] == "Information de paiement"
    assert message["From"] == SENDER
    assert message["From"].addresses[0].display_name == "Assurance Maladie"
    assert message["To"] == "camille@example.fr"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_content_type() == "multipart/alternative"
    text, html = parts(message)
    markup = Markup(html)
    for body in (" ".join(text.split()), markup.visible_text):
        assert "Bonjour Camille Bernard," in body
        assert "Un paiement vous concernant a été effectué récemment." in body
        assert "par vos propres moyens" in body
        assert "www.compte-assure.example" in body
        assert "« signaler un remboursement suspect »" in body
        assert (
            "Un message authentique ne vous demande jamais votre mot de passe, vos coordonnées "
            "bancaires ou des informations médicales." in body
        )
    assert ("html", {"lang": "fr"}) in markup.tags


def test_no_link_and_nothing_to_fill_in() -> None:
    text, html = parts(build_payment_notice(lease=lease(), letterhead=LETTERHEAD, now=NOW))
    tags = {tag for tag, _ in Markup(html).tags}
    assert not tags & {"a", "form", "input", "img", "script", "iframe"}
    assert "https://" not in text and "http://" not in text
    assert "href" not in html and "https://" not in html


def test_names_are_escaped_in_html_and_kept_on_one_line_in_text() -> None:
    message = build_payment_notice(
        lease=lease("<script>alert(1)</script>", 'O"Brien & fils\r\nBcc: pirate@example.com'),
        letterhead=LETTERHEAD,
        now=NOW,
    )
    text, html = parts(message)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "O&#34;Brien &amp; fils" in html
    assert [tag for tag, _ in Markup(html).tags].count("script") == 0
    assert text.splitlines()[0] == (
        'Bonjour <script>alert(1)</script> O"Brien & fils Bcc: pirate@example.com,'
    )
    assert message["Bcc"] is None


def test_the_sender_name_survives_as_written() -> None:
    letterhead = Letterhead(
        sender="Assurance Maladie (démonstration) <ne-pas-repondre@assurance.example>",
        account_url=ACCOUNT_URL,
    )
    message = build_payment_notice(lease=lease(), letterhead=letterhead, now=NOW)
    parsed = message_from_bytes(message.as_bytes(), policy=email.policy.default)
    [sender] = parsed["From"].addresses
    assert sender.display_name == "Assurance Maladie (démonstration)"
    assert sender.addr_spec == "ne-pas-repondre@assurance.example"


def test_message_id_is_the_same_for_every_attempt() -> None:
    first = build_payment_notice(lease=lease(), letterhead=LETTERHEAD, now=NOW)
    retry = build_payment_notice(
        lease=lease(attempt=3), letterhead=LETTERHEAD, now=NOW + timedelta(hours=2)
    )
    other = build_payment_notice(lease=lease(notification_id=8), letterhead=LETTERHEAD, now=NOW)
    assert first["Message-ID"] == retry["Message-ID"]
    assert first["Message-ID"] != other["Message-ID"]
    assert first["Message-ID"].endswith("@assurance.example>")


def test_the_email_sent_tells_nothing_of_the_claim(
    client: TestClient, factory: Factory, worker: Worker, smtp_server: SmtpRecorder
) -> None:
    holder = factory.policyholder(first_name="Léa", last_name="Roux")
    care_date = local_today("Europe/Paris") - timedelta(days=3)
    dentist = factory.provider("Dr Zébulon Quichotte", ProviderKind.DENTIST, city="Valence")
    admin = factory.staff(StaffRole.ADMIN)
    response = client.post(
        "/api/v1/claims",
        headers=factory.auth(admin),
        json={
            "policyholder_id": holder.id,
            "provider_id": dentist.id,
            "act_code": "HBLD036",
            "care_date": care_date.isoformat(),
            "amount_billed": 987.65,
            "amount_reimbursed": 72.41,
        },
    )
    assert response.status_code == 201
    assert worker.run(utcnow()).sent == 1

    [message] = smtp_server.received
    assert message["Subject"] == "Information de paiement"
    text, html = parts(message)
    # What a reader sees: the headers shown and both parts (not the random MIME boundary).
    shown = [str(message[name]) for name in ("Subject", "From", "To")]
    everything = "\n".join([*shown, text, html]).lower()
    for secret in (
        "987",
        "72,41",
        "72.41",
        str(Decimal("72.41")),
        "hbld036",
        "couronne",
        "céramométallique",
        "dentaire",
        "dentiste",
        "zébulon",
        "quichotte",
        "valence",
        dentist.identifier,
        holder.nir,
        care_date.isoformat(),
        care_date.strftime("%d/%m/%Y"),
    ):
        assert secret.lower() not in everything, secret
    assert "Bonjour Léa Roux," in text
