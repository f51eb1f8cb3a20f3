"""Helpers of the notification tests: a recording SMTP handler, the worker at a chosen time."""

import email
import email.policy
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from api.notifications.message import Letterhead
from api.notifications.models import Notification
from api.notifications.smtp import SmtpServer
from api.notifications.worker import MailSettings, RunReport, run_once

SENDER = "Assurance Maladie <ne-pas-repondre@assurance.example>"
ACCOUNT_URL = "https://www.compte-assure.example/"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class RecordingHandler:
    """Accepts every email, unless told to answer some DATA commands with a refusal first."""

    refusals: list[str] = field(default_factory=list)
    received: list[email.message.EmailMessage] = field(default_factory=list)
    recipients: list[list[str]] = field(default_factory=list)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.refusals:
            return self.refusals.pop(0)
        message = email.message_from_bytes(
            envelope.original_content or b"", policy=email.policy.default
        )
        assert isinstance(message, email.message.EmailMessage)
        self.received.append(message)
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 2.0.0 OK"


@dataclass
class SmtpRecorder:
    handler: RecordingHandler
    port: int

    @property
    def received(self) -> list[email.message.EmailMessage]:
        return self.handler.received


def mail_settings_for(port: int) -> MailSettings:
    return MailSettings(
        server=SmtpServer(host="127.0.0.1", port=port, tls="none", timeout=5),
        letterhead=Letterhead(sender=SENDER, account_url=ACCOUNT_URL),
    )


class Worker:
    """Runs the worker's loop body at a chosen time, as `python -m …worker` would."""

    def __init__(self, app: FastAPI, mail: MailSettings) -> None:
        self.app = app
        self.mail = mail

    def run(self, now: datetime, mail: MailSettings | None = None) -> RunReport:
        return run_once(sessionmaker=self.app.state.sessionmaker, mail=mail or self.mail, now=now)


def outbox(db: DbSession) -> list[Notification]:
    """Every row of the outbox as stored now (other sessions wrote them)."""
    db.commit()
    db.expire_all()
    rows = list(db.scalars(select(Notification).order_by(Notification.id)))
    db.commit()  # no read snapshot left open (SQLite) for the next step to trip on
    return rows


def running_smtp_server() -> Iterator[SmtpRecorder]:
    """A real SMTP server on a free loopback port that records what it receives."""
    handler = RecordingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, server_hostname="smtp.test")
    controller.start()
    yield SmtpRecorder(handler, port)
    controller.stop()
