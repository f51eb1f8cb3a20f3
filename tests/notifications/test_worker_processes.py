"""Two outbox workers as two processes (`python -m api.notifications.worker`, both databases):
each email of a batch reaches the SMTP server exactly once."""

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from sqlalchemy.orm import Session as DbSession

from api.core.config import Settings
from api.core.db import utcnow
from api.notifications import service
from api.notifications.models import NotificationState
from tests.conftest import TEST_KEYS_ENV
from tests.factories import Factory
from tests.notifications.support import (
    ACCOUNT_URL,
    SENDER,
    RecordingHandler,
    SmtpRecorder,
    free_port,
    outbox,
)

ROOT = Path(__file__).resolve().parents[2]
EMAILS = 40


class SlowHandler(RecordingHandler):
    """Takes 50 ms per email, as a real server does: long enough for both workers to work."""

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        await asyncio.sleep(0.05)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def slow_smtp() -> Iterator[SmtpRecorder]:
    handler = SlowHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, server_hostname="smtp.test")
    controller.start()
    yield SmtpRecorder(handler, port)
    controller.stop()


def start_worker(settings: Settings, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        **TEST_KEYS_ENV,
        "DEMO": "0",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(port),
        "SMTP_TLS": "none",
        "SMTP_SENDER": SENDER,
        "ACCOUNT_URL": ACCOUNT_URL,
        "LOG_LEVEL": "INFO",
    }
    with open(log, "wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "api.notifications.worker"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def test_two_worker_processes_send_each_email_once(
    factory: Factory, db: DbSession, settings: Settings, slow_smtp: SmtpRecorder, tmp_path: Path
) -> None:
    holders = [factory.policyholder() for _ in range(EMAILS)]
    now = utcnow()
    for holder in holders:
        service.queue_payment_notice(session=db, policyholder=holder, now=now, window=timedelta(0))
    db.commit()
    logs = [tmp_path / f"worker-{n}.log" for n in range(2)]
    workers = [start_worker(settings, slow_smtp.port, log) for log in logs]
    try:
        deadline = time.monotonic() + 60
        while {n.state for n in outbox(db)} != {NotificationState.SENT}:
            assert time.monotonic() < deadline, "the outbox was not emptied in time"
            assert all(w.poll() is None for w in workers), [log.read_text() for log in logs]
            time.sleep(0.2)
    finally:
        for process in workers:
            process.send_signal(signal.SIGTERM)
        for process in workers:
            process.wait(timeout=30)
    message_ids = [m["Message-ID"] for m in slow_smtp.received]
    assert len(message_ids) == len(set(message_ids)) == EMAILS
    assert sorted(r[0] for r in slow_smtp.handler.recipients) == sorted(h.email for h in holders)
    assert all(n.attempts == 1 for n in outbox(db))
    sent = [log.read_text().count(": sent") for log in logs]
    assert sum(sent) == EMAILS, sent
    assert all(w.returncode == 0 for w in workers)
