"""The backfill from Rasa's tracker store closes the gap an outage of RabbitMQ leaves."""

import io
import os
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

from fastapi import FastAPI
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from api.core.config import Settings
from api.events.backfill import backfill
from api.events.models import ConversationEvent
from api.events.records import from_broker_body
from api.training.inbox import local_bound
from tests.conftest import TEST_KEYS_ENV
from tests.events.support import (
    Conversation,
    Rabbit,
    RunningConsumer,
    TrackerTable,
    count_rows,
    rasa_body,
    wait_until,
)

ROOT = Path(__file__).resolve().parents[2]


def stored_keys(db: Session) -> set[str]:
    db.rollback()  # a fresh snapshot
    return set(db.scalars(select(ConversationEvent.event_key)))


def test_after_an_outage_the_backfill_adds_exactly_the_missing_events_once(
    app: FastAPI, db: Session, rabbit: Rabbit, tracker: TrackerTable, tracker_engine: Engine
) -> None:
    conversation = Conversation().story()
    events = conversation.events
    # Rasa saves every event in its tracker store; events 4 to 7 were published while
    # RabbitMQ was down and died with the Rasa process that held them.
    tracker.save(conversation, events)
    reached = events[:4] + events[8:]
    rabbit.declare()
    with RunningConsumer(rabbit.broker, app.state.sessionmaker, batch_wait=0.05):
        rabbit.publish_events(conversation, reached)
        wait_until(lambda: count_rows(app.state.engine) == len(reached))
    before = stored_keys(db)
    out = io.StringIO()
    first = backfill(tracker=tracker_engine, sessionmaker=app.state.sessionmaker, batch=3, out=out)
    assert (first.read, first.added, first.unreadable) == (len(events), 4, 0)
    expected = {from_broker_body(rasa_body(conversation.sender_id, e)).event_key for e in events}
    assert stored_keys(db) == expected and before < expected
    assert out.getvalue().splitlines()[-1] == (
        "lus : 11, ajoutés : 4, déjà présents : 7, illisibles : 0"
    )
    assert len(out.getvalue().splitlines()) == 4  # one line per batch of 3
    second = backfill(tracker=tracker_engine, sessionmaker=app.state.sessionmaker)
    assert (second.read, second.added) == (len(events), 0)
    assert count_rows(app.state.engine) == len(events)


def test_the_backfill_can_be_limited_to_a_day_and_a_conversation(
    app: FastAPI, tracker: TrackerTable, tracker_engine: Engine
) -> None:
    evening = datetime(2026, 3, 1, 22, 30, tzinfo=UTC).timestamp()  # 23:30 in Paris
    midnight = datetime(2026, 3, 1, 23, 30, tzinfo=UTC).timestamp()  # 00:30 on 2 March
    old = Conversation(sender_id="assure-1-old", clock=evening)
    new = Conversation(sender_id="assure-2-new", clock=midnight)
    other = Conversation(sender_id="assure-3-other", clock=midnight)
    for conversation in (old, new, other):
        conversation.user("bonjour")
        tracker.save(conversation, conversation.events)
    since = local_bound(date(2026, 3, 2), "Europe/Paris", end=False)
    factory = app.state.sessionmaker
    result = backfill(
        tracker=tracker_engine, sessionmaker=factory, since=since, sender=new.sender_id
    )
    assert (result.read, result.added) == (1, 1)
    result = backfill(tracker=tracker_engine, sessionmaker=factory, since=since)
    assert (result.read, result.added) == (2, 1)
    result = backfill(tracker=tracker_engine, sessionmaker=factory)
    assert (result.read, result.added) == (3, 1)


def test_unreadable_rows_are_counted_and_skipped(
    app: FastAPI, tracker: TrackerTable, tracker_engine: Engine
) -> None:
    conversation = Conversation()
    conversation.user("bonjour")
    tracker.save(conversation, conversation.events)
    with tracker_engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO events (sender_id, type_name, timestamp, data) "
            "VALUES ('assure-1-x', 'user', 1.0, 'pas du json')"
        )
    result = backfill(tracker=tracker_engine, sessionmaker=app.state.sessionmaker)
    assert (result.read, result.added, result.unreadable) == (2, 1, 1)


def test_the_command_prints_its_progress_in_french(
    settings: Settings, app: FastAPI, tracker: TrackerTable, tracker_url: str
) -> None:
    conversation = Conversation().story()
    tracker.save(conversation, conversation.events)
    environment = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        **TEST_KEYS_ENV,
        "TRACKER_STORE_URL": tracker_url,
    }
    command = [sys.executable, "-m", "api.events.backfill", "--since", "2026-01-01", "--batch", "5"]
    done = subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "lus : 5, ajoutés : 5, déjà présents : 0, illisibles : 0",
        "lus : 10, ajoutés : 10, déjà présents : 0, illisibles : 0",
        "lus : 11, ajoutés : 11, déjà présents : 0, illisibles : 0",
        "Terminé. lus : 11, ajoutés : 11, déjà présents : 0, illisibles : 0",
    ]
    again = subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True)
    assert again.stdout.splitlines()[-1].endswith("ajoutés : 0, déjà présents : 11, illisibles : 0")
    refused = subprocess.run(
        [sys.executable, "-m", "api.events.backfill", "--since", "hier"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert refused.returncode == 2 and "--since" in refused.stderr


def test_an_unreachable_tracker_store_is_said_in_french(settings: Settings, tmp_path: Path) -> None:
    environment = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        **TEST_KEYS_ENV,
        "TRACKER_STORE_URL": f"sqlite:///{tmp_path / 'absent.db'}",  # no `events` table
    }
    done = subprocess.run(
        [sys.executable, "-m", "api.events.backfill"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert "relancez la commande" in done.stderr
