"""A local mail sink for development: it keeps every email it receives and shows them.

    python -m api.notifications.sink [--smtp-port 1025] [--web-port 8025] [--maildir var/mailsink]

`make run` starts it when SMTP_HOST is not set, and points the worker at it. It listens on
127.0.0.1 only and relays nothing; messages are kept in a Maildir, so they survive a restart.
"""

import argparse
import email
import email.policy
import logging
import mailbox
import re
import signal
import sys
import threading
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit
from zoneinfo import ZoneInfo

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope
from aiosmtpd.smtp import Session as SmtpSession

from api.core.config import PROJECT_ROOT
from api.notifications.message import templates
from contract.calendar import TIMEZONE

HOST = "127.0.0.1"
SMTP_PORT = 1025
WEB_PORT = 8025
MAILDIR = PROJECT_ROOT / "var" / "mailsink"
SHOWN_MAX = 200
DISPLAY_TIMEZONE = ZoneInfo(TIMEZONE)

PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
# The HTML part of an email is shown as it is, but sandboxed: no script, no request anywhere.
EMAIL_HTML_HEADERS = {
    **PAGE_HEADERS,
    "Content-Security-Policy": "sandbox; default-src 'none'; style-src 'unsafe-inline'",
}

log = logging.getLogger("api.notifications.sink")


class MaildirHandler:
    """aiosmtpd handler: every message accepted is stored in the Maildir."""

    def __init__(self, path: Path) -> None:
        self.maildir = mailbox.Maildir(path, create=True)

    async def handle_DATA(self, server: SMTP, session: SmtpSession, envelope: Envelope) -> str:
        self.maildir.add(envelope.original_content or b"")
        return "250 Message accepted for delivery"


@dataclass(frozen=True)
class Received:
    key: str
    received_at: datetime
    message: EmailMessage

    @property
    def url(self) -> str:
        return f"/messages/{quote(self.key, safe='')}"

    def header(self, name: str) -> str:
        return str(self.message.get(name, ""))

    def body(self, subtype: str) -> str | None:
        part = self.message.get_body(preferencelist=(subtype,))
        if part is None or not isinstance(part, EmailMessage):
            return None
        content = part.get_content()
        return content if isinstance(content, str) else None


def _received(maildir: mailbox.Maildir, key: str) -> Received:
    """One stored message (KeyError if there is none with this key)."""
    delivered = maildir.get_message(key).get_date()
    message = email.message_from_bytes(maildir.get_bytes(key), policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return Received(key, datetime.fromtimestamp(delivered, DISPLAY_TIMEZONE), message)


def inbox(path: Path) -> list[Received]:
    """The messages received, newest first (at most SHOWN_MAX)."""
    maildir = mailbox.Maildir(path, create=True)
    messages = [_received(maildir, key) for key in maildir.iterkeys()]
    messages.sort(key=lambda m: (m.received_at, m.key), reverse=True)
    return messages[:SHOWN_MAX]


class InboxServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], maildir: Path) -> None:
        super().__init__(address, InboxHandler)
        self.maildir = maildir


class InboxHandler(BaseHTTPRequestHandler):
    """Read-only pages: the inbox, one message, and its HTML part (sandboxed)."""

    server: InboxServer

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if path == "/":
            messages = inbox(self.server.maildir)
            self._send(200, self._render("sink/inbox.html", messages=messages), PAGE_HEADERS)
            return
        match = re.fullmatch(r"/messages/([^/]+?)(\.html)?", path)
        received = self._find(unquote(match.group(1))) if match else None
        if received is None:
            self._send(404, self._render("sink/not_found.html"), PAGE_HEADERS)
        elif match and match.group(2):
            html = received.body("html")
            if html is None:
                self._send(404, self._render("sink/not_found.html"), PAGE_HEADERS)
            else:
                self._send(200, html, EMAIL_HTML_HEADERS)
        else:
            page = self._render("sink/message.html", received=received)
            self._send(200, page, PAGE_HEADERS)

    do_HEAD = do_GET

    def _find(self, key: str) -> Received | None:
        maildir = mailbox.Maildir(self.server.maildir, create=True)
        try:
            return _received(maildir, key)
        except KeyError:
            return None

    def _render(self, name: str, **context: Any) -> str:
        return templates().get_template(name).render(context)

    def _send(self, status: int, body: str, headers: dict[str, str]) -> None:
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug(format, *args)


class MailSink:
    """The SMTP server and the web pages, both on loopback."""

    def __init__(
        self,
        maildir: Path = MAILDIR,
        *,
        host: str = HOST,
        smtp_port: int = SMTP_PORT,
        web_port: int = WEB_PORT,
    ) -> None:
        self.maildir = maildir
        self.smtp = Controller(
            MaildirHandler(maildir), hostname=host, port=smtp_port, server_hostname="mailsink"
        )
        self.web = InboxServer((host, web_port), maildir)
        self._web_thread = threading.Thread(target=self.web.serve_forever, daemon=True)

    @property
    def web_url(self) -> str:
        host, port = self.web.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> None:
        self.smtp.start()
        self._web_thread.start()

    def stop(self) -> None:
        self.web.shutdown()
        self.web.server_close()
        self.smtp.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Boîte de réception locale pour le développement")
    parser.add_argument("--smtp-port", type=int, default=SMTP_PORT)
    parser.add_argument("--web-port", type=int, default=WEB_PORT)
    parser.add_argument("--maildir", type=Path, default=MAILDIR)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # it logs every SMTP command

    sink = MailSink(args.maildir, smtp_port=args.smtp_port, web_port=args.web_port)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    sink.start()
    log.info("mail sink: SMTP on %s:%d, messages on %s", HOST, args.smtp_port, sink.web_url)
    stop.wait()
    sink.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
