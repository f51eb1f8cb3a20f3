"""Rasa's real broker and tracker store: the consumer and the backfill agree on every key."""

import json
import os
import subprocess
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.core.tracker_store import tracker_engine
from api.events.backfill import backfill
from api.events.models import ConversationEvent
from tests.events.support import (
    RABBITMQ_URL,
    SECRET_TOKEN,
    Rabbit,
    RunningConsumer,
    count_rows,
    wait_until,
)

ROOT = Path(__file__).resolve().parents[2]
BOT_PYTHON = ROOT / ".venv-bot" / "bin" / "python"
# What the cluster's endpoints file says (the URL's credentials must be username/password:
# Rasa puts username:password in front of a URL that lacks exactly them).
ENDPOINTS = """
event_broker:
  type: pika
  url: ${{RABBITMQ_URL}}
  username: guest
  password: guest
  queues:
    - {queue}
  exchange_name: {exchange}
  connection_attempts: 3
  retry_delay_in_seconds: 1
"""


@pytest.mark.skipif(not BOT_PYTHON.exists(), reason="the bot environment is not installed")
def test_rasa_publishes_what_its_tracker_store_keeps_and_each_is_stored_once(
    app: FastAPI, db: Session, rabbit: Rabbit, tmp_path: Path
) -> None:
    tracker_db = tmp_path / "tracker.db"
    sender = "assure-7-rasa"
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(
        ENDPOINTS.format(queue=rabbit.broker.queue, exchange=rabbit.broker.exchange)
    )
    with RunningConsumer(rabbit.broker, app.state.sessionmaker, batch_wait=0.05):
        wait_until(lambda: rabbit.counts()[1] == 1, what="the consumer")
        done = subprocess.run(
            [
                str(BOT_PYTHON),
                "tests/events/rasa_publisher.py",
                *(str(endpoints), str(tracker_db), sender, SECRET_TOKEN),
            ],
            cwd=ROOT,
            env={**os.environ, "RASA_TELEMETRY_ENABLED": "false", "RABBITMQ_URL": RABBITMQ_URL},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        with tracker_engine(f"sqlite:///{tracker_db}") as tracker, tracker.connect() as connection:
            rows = connection.exec_driver_sql("SELECT type_name, data FROM events").all()
        assert len(rows) == 12  # both turns, each event once
        wait_until(lambda: count_rows(app.state.engine) == len(rows), what="Rasa's events")
        wait_until(lambda: rabbit.counts()[0] == 0)
    with tracker_engine(f"sqlite:///{tracker_db}") as tracker:
        result = backfill(tracker=tracker, sessionmaker=app.state.sessionmaker)
    assert (result.read, result.added, result.unreadable) == (len(rows), 0, 0)
    assert count_rows(app.state.engine) == len(rows)
    stored = db.scalars(select(ConversationEvent).order_by(ConversationEvent.timestamp)).all()
    assert [r.type_name for r in stored] == [r.type_name for r in rows]
    assert SECRET_TOKEN in "".join(r.data for r in rows)  # Rasa keeps the metadata...
    assert SECRET_TOKEN not in json.dumps([r.data for r in stored])  # ...we do not
    user = next(r for r in stored if r.intent_name == "report_suspicious")
    assert (user.confidence, user.data["text"]) == (0.41, "on m'a facturé un soin fantôme")
    assert [r.action_name for r in stored if r.type_name == "bot"] == [
        "utter_greet",
        "utter_report_filed",
    ]
