"""The app pointed at a real SMTP server on a free loopback port, for the reset emails."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.core.config import Settings
from api.main import create_app
from tests.notifications.support import SENDER, SmtpRecorder, running_smtp_server

# The link in the email must open on the test client's own host.
ACCOUNT_URL = "http://testserver"


@pytest.fixture
def smtp_server() -> Iterator[SmtpRecorder]:
    yield from running_smtp_server()


@pytest.fixture
def mail_client(settings: Settings, smtp_server: SmtpRecorder) -> Iterator[TestClient]:
    """A client of the app whose settings name the SMTP server (the worker's settings)."""
    app = create_app(
        settings.model_copy(
            update={
                "smtp_host": "127.0.0.1",
                "smtp_port": smtp_server.port,
                "smtp_tls": "none",
                "smtp_sender": SENDER,
                "account_url": ACCOUNT_URL,
            }
        )
    )
    with TestClient(app) as client:
        yield client
    app.state.engine.dispose()
