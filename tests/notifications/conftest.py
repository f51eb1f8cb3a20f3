"""A real SMTP server on a free loopback port, and the worker pointed at it."""

from collections.abc import Iterator

import pytest
from fastapi import FastAPI

from api.notifications.worker import MailSettings
from tests.notifications.support import (
    SmtpRecorder,
    Worker,
    mail_settings_for,
    running_smtp_server,
)


@pytest.fixture
def smtp_server() -> Iterator[SmtpRecorder]:
    yield from running_smtp_server()


@pytest.fixture
def mail(smtp_server: SmtpRecorder) -> MailSettings:
    return mail_settings_for(smtp_server.port)


@pytest.fixture
def worker(app: FastAPI, mail: MailSettings) -> Worker:
    return Worker(app, mail)
