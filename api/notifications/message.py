"""The payment notice as an email: rendered from the templates when it leaves, in two parts.

It says only that a payment was made: no amount, act or provider, and no link (people are
asked to open their account by themselves, the habit that defeats phishing).
"""

from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from api.notifications.service import Lease

TEMPLATES = Path(__file__).parent / "templates"
NAME_MAX = 100


def email_environment(folder: Path) -> Environment:
    """Jinja2 for emails: HTML escaped, text as written, no silent blank for a missing name;
    `folder`'s templates first, then the layout every email extends (`email/_layout.html`)."""
    return Environment(
        loader=FileSystemLoader(list(dict.fromkeys([folder, TEMPLATES]))),
        autoescape=select_autoescape(enabled_extensions=("html",), default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        keep_trailing_newline=True,
    )


@lru_cache
def templates() -> Environment:
    return email_environment(TEMPLATES)


@dataclass(frozen=True)
class Letterhead:
    """Who the emails come from and where people are told to sign in."""

    sender: str  # a From header: "Assurance Maladie <ne-pas-repondre@…>"
    account_url: str

    @property
    def sender_address(self) -> str:
        return parseaddr(self.sender)[1]

    @property
    def signature(self) -> str:
        return parseaddr(self.sender)[0]

    @property
    def account_site(self) -> str:
        """The address as people type it: « www.ameli.fr », not a link to click."""
        parts = urlsplit(self.account_url)
        return (parts.netloc + parts.path).rstrip("/") or self.account_url


def one_line(text: str, limit: int = NAME_MAX) -> str:
    """Printable text on one line, so that no stored name can add lines to a message."""
    printable = "".join(ch if ch.isprintable() else " " for ch in text)
    return " ".join(printable.split())[:limit]


def render_payment_notice(*, name: str, subject: str, letterhead: Letterhead) -> tuple[str, str]:
    """The plain-text and HTML bodies (HTML escaped by the template engine)."""
    context = {
        "name": one_line(name),
        "subject": subject,
        "account_site": one_line(letterhead.account_site, 200),
        "signature": one_line(letterhead.signature),
    }
    env = templates()
    return (
        env.get_template("email/payment_notice.txt").render(context),
        env.get_template("email/payment_notice.html").render(context),
    )


def message_id(lease: Lease, letterhead: Letterhead) -> str:
    """The same for every attempt at one email, so a receiver can drop a duplicate."""
    domain = letterhead.sender_address.rpartition("@")[2] or "localhost"
    return f"<notification-{lease.notification_id}.{int(lease.created_at.timestamp())}@{domain}>"


def build_payment_notice(*, lease: Lease, letterhead: Letterhead, now: datetime) -> EmailMessage:
    """The whole email; ValueError if the recipient address cannot go in a header."""
    text, html = render_payment_notice(
        name=f"{lease.first_name} {lease.last_name}", subject=lease.subject, letterhead=letterhead
    )
    message = EmailMessage()
    message["From"] = Address(letterhead.signature, addr_spec=letterhead.sender_address)
    message["To"] = lease.to_address
    message["Subject"] = lease.subject
    message["Date"] = format_datetime(now)
    message["Message-ID"] = message_id(lease, letterhead)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text, cte="quoted-printable")
    message.add_alternative(html, subtype="html", cte="quoted-printable")
    message["Content-Language"] = "fr"  # after the parts, which take the Content-* headers
    return message
