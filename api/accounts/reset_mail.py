"""The reset link's email, handed at once to the SMTP server that sends the payment notices.

Sent after the answer to the request (so answering takes the same time whether an account
matched or not). The link goes to ACCOUNT_URL, never to the address the request came to (a
forged Host header must not receive someone's link). A failure is logged without the address
or the token, and the person can ask again.
"""

import logging
from collections.abc import Iterable
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from jinja2 import Environment

from api.accounts.password_reset import ResetLetter
from api.core.config import Settings
from api.notifications.message import Letterhead, email_environment, one_line
from api.notifications.smtp import DeliveryError, Mailer
from api.notifications.worker import MailSettings, mail_settings

log = logging.getLogger("api.accounts.reset")

TEMPLATES = Path(__file__).parent / "templates"
SUBJECT = "Votre nouveau mot de passe"


@lru_cache
def _templates() -> Environment:
    return email_environment(TEMPLATES)


def reset_link(account_url: str, path: str, token: str) -> str:
    return f"{account_url.rstrip('/')}{path}?{urlencode({'jeton': token})}"


def build_reset_email(
    letter: ResetLetter, *, link: str, letterhead: Letterhead, timezone: str, now: datetime
) -> EmailMessage:
    """Both parts of the email; ValueError if the address cannot go in a header."""
    expires = datetime.fromtimestamp(letter.expires_at, ZoneInfo(timezone))
    context = {
        "name": one_line(letter.name),
        "username": one_line(letter.username),
        "subject": SUBJECT,
        "link": link,
        "expires": f"le {expires:%d/%m/%Y} à {expires:%H:%M}",
        "account_site": one_line(letterhead.account_site, 200),
        "signature": one_line(letterhead.signature),
    }
    env = _templates()
    message = EmailMessage()
    message["From"] = Address(letterhead.signature, addr_spec=letterhead.sender_address)
    message["To"] = letter.to_address
    message["Subject"] = SUBJECT
    message["Date"] = format_datetime(now)
    domain = letterhead.sender_address.rpartition("@")[2] or "localhost"
    message["Message-ID"] = make_msgid("password-reset", domain=domain)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(
        env.get_template("email/password_reset.txt").render(context), cte="quoted-printable"
    )
    message.add_alternative(
        env.get_template("email/password_reset.html").render(context),
        subtype="html",
        cte="quoted-printable",
    )
    message["Content-Language"] = "fr"
    return message


def send_reset_emails(
    letters: Iterable[ResetLetter], *, settings: Settings, path: str, now: datetime
) -> int:
    """Send each letter with a link to `path` on ACCOUNT_URL; how many the server took."""
    letters = list(letters)
    if not letters:
        return 0
    try:
        mail = mail_settings(settings)
    except ValueError as error:
        log.warning("password reset email not sent: %s", error)
        return 0
    return _deliver(letters, mail=mail, settings=settings, path=path, now=now)


def _deliver(
    letters: list[ResetLetter], *, mail: MailSettings, settings: Settings, path: str, now: datetime
) -> int:
    sent = 0
    letterhead = mail.letterhead
    with Mailer(mail.server) as mailer:
        for letter in letters:
            try:
                message = build_reset_email(
                    letter,
                    link=reset_link(letterhead.account_url, path, letter.token),
                    letterhead=letterhead,
                    timezone=settings.timezone,
                    now=now,
                )
                mailer.send(message, sender=letterhead.sender_address, recipient=letter.to_address)
            except ValueError:
                log.warning("password reset email not sent: the address cannot be used")
            except DeliveryError as error:
                log.warning("password reset email not sent: %s", error.reason)
            else:
                sent += 1
    log.info("password reset: %d email(s) sent", sent)
    return sent
