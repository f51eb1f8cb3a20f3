"""Handing emails to the SMTP server, with timeouts, and failures described without the address."""

import re
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from types import TracebackType
from typing import Literal, Self

TlsMode = Literal["starttls", "tls", "none"]
DEFAULT_PORTS: dict[TlsMode, int] = {"tls": 465, "starttls": 587, "none": 25}
TIMEOUT_SECONDS = 20.0
REASON_MAX = 300


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    tls: TlsMode
    username: str | None = None
    password: str | None = None
    timeout: float = TIMEOUT_SECONDS

    def __repr__(self) -> str:  # never the password
        return f"SmtpServer({self.host}:{self.port}, tls={self.tls})"


class DeliveryError(Exception):
    """The server did not take the email.

    `permanent`: it refused this email for good (5xx on the recipient or the content).
    `server_down`: nothing else will go through now (connection, TLS, sign-in, sender).
    """

    def __init__(self, reason: str, *, permanent: bool = False, server_down: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.server_down = server_down


class Mailer:
    """One SMTP connection, opened on first use and kept for the emails of one batch."""

    def __init__(self, server: SmtpServer) -> None:
        self.server = server
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        self.close()

    def send(self, message: EmailMessage, *, sender: str, recipient: str) -> None:
        """Hand one email over; DeliveryError (and the connection closed) if it was not taken."""
        try:
            smtp = self._smtp or self._connect()
            smtp.send_message(message, from_addr=sender, to_addrs=[recipient])
        except smtplib.SMTPRecipientsRefused as error:
            code, reply = next(iter(error.recipients.values()), (0, b""))
            self._drop()
            raise DeliveryError(
                describe_reply(code, reply, recipient), permanent=500 <= code < 600
            ) from None
        except smtplib.SMTPDataError as error:
            self._drop()
            raise DeliveryError(
                describe_reply(error.smtp_code, error.smtp_error, recipient),
                permanent=500 <= error.smtp_code < 600,
            ) from None
        except smtplib.SMTPResponseException as error:
            # Refused greeting, sign-in or sender: the configuration, not this email.
            self._drop()
            reason = describe_reply(error.smtp_code, error.smtp_error, recipient)
            raise DeliveryError(reason, server_down=True) from None
        except (smtplib.SMTPException, OSError) as error:
            # Connection refused or lost, timeout, TLS failure, STARTTLS not offered.
            self._drop()
            reason = f"Serveur SMTP injoignable ou interrompu : {type(error).__name__}"
            raise DeliveryError(redact(reason, recipient), server_down=True) from None

    def _connect(self) -> smtplib.SMTP:
        server = self.server
        smtp: smtplib.SMTP
        if server.tls == "tls":
            smtp = smtplib.SMTP_SSL(
                server.host,
                server.port,
                timeout=server.timeout,
                context=ssl.create_default_context(),
            )
        else:
            smtp = smtplib.SMTP(server.host, server.port, timeout=server.timeout)
        try:
            if server.tls == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if server.username:
                smtp.login(server.username, server.password or "")
        except BaseException:
            smtp.close()
            raise
        self._smtp = smtp
        return smtp

    def _drop(self) -> None:
        """Forget a connection in an unknown state; the next email opens a new one."""
        if self._smtp is not None:
            self._smtp.close()
            self._smtp = None

    def close(self) -> None:
        if self._smtp is None:
            return
        try:
            self._smtp.quit()
        except (smtplib.SMTPException, OSError):
            pass
        finally:
            self._smtp.close()
            self._smtp = None


def redact(text: str, recipient: str) -> str:
    """The text without the recipient's address, on one line, at most REASON_MAX characters."""
    if recipient:
        text = re.sub(re.escape(recipient), "<destinataire>", text, flags=re.IGNORECASE)
    return " ".join(text.split())[:REASON_MAX]


def describe_reply(code: int, reply: bytes | str, recipient: str) -> str:
    """« Refus du serveur SMTP (451) : 4.3.0 Try again later », without the address."""
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    return redact(f"Refus du serveur SMTP ({code}) : {text}", recipient)
