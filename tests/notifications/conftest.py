"""A real SMTP server on a free loopback port, and the worker pointed at it."""

from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller
from fastapi import FastAPI

from api.notifications.worker import MailSettings
from tests.notifications.support import (
    RecordingHandler,
    SmtpRecorder,
    Worker,
    free_port,
    mail_settings_for,
)


@pytest.fixture
def smtp_server() -> Iterator[SmtpRecorder]:
    handler = RecordingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, server_hostname="smtp.test")
    controller.start()
    yield SmtpRecorder(handler, port)
    controller.stop()


@pytest.fixture
def mail(smtp_server: SmtpRecorder) -> MailSettings:
    return mail_settings_for(smtp_server.port)


@pytest.fixture
def worker(app: FastAPI, mail: MailSettings) -> Worker:
    return Worker(app, mail)
