"""The consumer against the real RabbitMQ: each event stored once, whatever happens."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pika
import pika.exceptions
import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from api.core.config import Settings
from api.core.db import make_engine, make_sessionmaker
from api.core.migrate import upgrade
from api.events.consumer import REASON_HEADER
from api.events.models import ConversationEvent
from tests.conftest import TEST_KEYS_ENV
from tests.events.support import (
    SECRET_TOKEN,
    Conversation,
    Rabbit,
    RunningConsumer,
    close_connections_named,
    count_rows,
    rasa_body,
    wait_until,
)

ROOT = Path(__file__).resolve().parents[2]
FAST = {"batch_wait": 0.05, "max_backoff": 0.5}


def engine_of(app: FastAPI) -> Engine:
    engine: Engine = app.state.engine
    return engine


def drained(rabbit: Rabbit) -> bool:
    return rabbit.counts()[0] == 0


def test_published_events_are_stored_once_even_when_published_again(
    app: FastAPI, db: Session, rabbit: Rabbit
) -> None:
    conversation = Conversation().story()
    with RunningConsumer(rabbit.broker, app.state.sessionmaker, **FAST):
        wait_until(lambda: rabbit.counts()[1] == 1, what="the consumer")
        rabbit.publish_events(conversation, conversation.events)
        wait_until(lambda: count_rows(engine_of(app)) == len(conversation.events))
        rabbit.publish_events(conversation, conversation.events)  # Rasa or a proxy repeating
        wait_until(lambda: drained(rabbit), what="the queue to drain")
    assert count_rows(engine_of(app)) == len(conversation.events)
    assert rabbit.counts() == (0, 0)  # all acknowledged; the consumer has left
    rows = db.scalars(select(ConversationEvent).order_by(ConversationEvent.timestamp)).all()
    assert [r.type_name for r in rows] == [e["event"] for e in conversation.events]
    assert rows[1].sender_id == conversation.sender_id and rows[1].intent_name == "greet"
    assert rows[1].timestamp == conversation.events[1]["timestamp"]  # the float, exactly
    assert SECRET_TOKEN not in str([r.data for r in rows])


def test_a_redelivered_message_stores_nothing_twice(app: FastAPI, rabbit: Rabbit) -> None:
    conversation = Conversation()
    body = rasa_body(conversation.sender_id, conversation.user("bonjour"))
    rabbit.declare()
    rabbit.publish(body)
    connection = pika.BlockingConnection(pika.URLParameters(rabbit.broker.url))
    channel = connection.channel()
    method, _, _ = channel.basic_get(rabbit.broker.queue)
    assert method is not None
    channel.basic_nack(method.delivery_tag, requeue=True)  # back in the queue, redelivered
    connection.close()
    rabbit.publish(body)  # and a second copy
    with RunningConsumer(rabbit.broker, app.state.sessionmaker, **FAST):
        wait_until(lambda: drained(rabbit) and count_rows(engine_of(app)) >= 1)
    assert count_rows(engine_of(app)) == 1


def test_a_consumer_killed_between_commit_and_ack_loses_and_doubles_nothing(
    app: FastAPI, settings: Settings, rabbit: Rabbit, tmp_path: Path
) -> None:
    conversation = Conversation().story()
    rabbit.declare()
    rabbit.publish_events(conversation, conversation.events)
    marker = tmp_path / "committed"
    broker = rabbit.broker
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "tests.events.crash_consumer", settings.database_url),
            *(broker.url, broker.queue, broker.exchange, str(marker)),
        ],
        cwd=ROOT,
    )
    try:
        wait_until(marker.exists, timeout=30, what="the commit")
        assert marker.read_text() == str(len(conversation.events))
        assert count_rows(engine_of(app)) == len(conversation.events)
        assert rabbit.counts() == (0, 1)  # delivered, not acknowledged
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    wait_until(lambda: rabbit.counts() == (len(conversation.events), 0), what="the requeue")
    later = [conversation.user("et maintenant ?", "ask_human", 0.6)]
    with RunningConsumer(rabbit.broker, app.state.sessionmaker, **FAST):
        rabbit.publish_events(conversation, later)
        wait_until(lambda: drained(rabbit) and count_rows(engine_of(app)) == 12)
    assert count_rows(engine_of(app)) == len(conversation.events)  # 11 + 1, none twice


def test_a_malformed_message_is_dead_lettered_and_the_next_one_stored(
    app: FastAPI, rabbit: Rabbit
) -> None:
    conversation = Conversation()
    first, last = conversation.user("bonjour"), conversation.user("merci")
    rabbit.declare()
    rabbit.publish(
        rasa_body(conversation.sender_id, first),
        b"pas du json " + SECRET_TOKEN.encode(),
        b'{"event": "user", "timestamp": 1.0, "text": "sans conversation"}',
        rasa_body(conversation.sender_id, last),
    )
    with RunningConsumer(rabbit.broker, app.state.sessionmaker, **FAST):
        wait_until(lambda: drained(rabbit) and count_rows(engine_of(app)) == 2)
    dead = rabbit.take_dead_letters()
    assert [(body[:11], headers[REASON_HEADER]) for body, headers in dead] == [
        (b"pas du json", "not-json"),
        (b'{"event": "', "bad-sender-id"),
    ]
    assert rabbit.counts() == (0, 0)


@pytest.fixture
def refusing_trigger(app: FastAPI) -> object:
    """The database refuses rows of the conversation « refus » (a constraint we cannot foresee)."""
    engine = engine_of(app)
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(
                text(
                    "CREATE FUNCTION refuse_event() RETURNS trigger AS $$ BEGIN "
                    "IF NEW.sender_id = 'refus' THEN RAISE EXCEPTION 'refused' "
                    "USING ERRCODE = 'check_violation'; END IF; RETURN NEW; END $$ "
                    "LANGUAGE plpgsql"
                )
            )
            connection.execute(
                text(
                    "CREATE TRIGGER refuse_event BEFORE INSERT ON conversation_event "
                    "FOR EACH ROW EXECUTE FUNCTION refuse_event()"
                )
            )
        else:
            connection.execute(
                text(
                    "CREATE TRIGGER refuse_event BEFORE INSERT ON conversation_event "
                    "WHEN NEW.sender_id = 'refus' BEGIN SELECT RAISE(ABORT, 'refused'); END"
                )
            )
    yield
    with engine.begin() as connection:
        connection.execute(
            text(
                "DROP TRIGGER refuse_event"
                + (" ON conversation_event" if engine.dialect.name == "postgresql" else "")
            )
        )
        if engine.dialect.name == "postgresql":
            connection.execute(text("DROP FUNCTION refuse_event()"))


def test_a_row_the_database_refuses_is_dead_lettered_and_the_batch_stored(
    app: FastAPI, rabbit: Rabbit, refusing_trigger: object
) -> None:
    good, refused = Conversation(), Conversation(sender_id="refus")
    bodies = [rasa_body(good.sender_id, good.user("un")), rasa_body("refus", refused.user("x"))]
    bodies.append(rasa_body(good.sender_id, good.user("deux")))
    rabbit.declare()
    rabbit.publish(*bodies)
    with RunningConsumer(rabbit.broker, app.state.sessionmaker, batch_wait=0.5, max_backoff=0.5):
        wait_until(lambda: drained(rabbit) and count_rows(engine_of(app)) == 2)
        wait_until(lambda: rabbit.counts(rabbit.broker.dead_letter_queue)[0] == 1)
    dead = rabbit.take_dead_letters()
    assert [(body, headers[REASON_HEADER]) for body, headers in dead] == [
        (bodies[1], "refused-by-database")
    ]


def test_while_the_database_is_down_nothing_is_acknowledged_then_all_is_stored(
    rabbit: Rabbit, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'later.db'}"  # no table yet: every insert fails
    engine = make_engine(url)
    conversation = Conversation().story()
    try:
        with RunningConsumer(rabbit.broker, make_sessionmaker(engine), **FAST):
            wait_until(lambda: rabbit.counts()[1] == 1, what="the consumer")
            rabbit.publish_events(conversation, conversation.events)
            time.sleep(1.5)  # a few failed attempts
            assert rabbit.counts() == (0, 1)  # held by the consumer, unacknowledged
            upgrade(url)  # the database is back
            wait_until(lambda: count_rows(engine) == len(conversation.events), timeout=20)
            wait_until(lambda: drained(rabbit))
    finally:
        engine.dispose()


def test_the_consumer_reconnects_when_rabbitmq_drops_it(app: FastAPI, rabbit: Rabbit) -> None:
    conversation = Conversation()
    with RunningConsumer(rabbit.broker, app.state.sessionmaker, **FAST):
        wait_until(lambda: rabbit.counts()[1] == 1, what="the consumer")
        rabbit.publish_events(conversation, [conversation.user("avant")])
        wait_until(lambda: count_rows(engine_of(app)) == 1)
        assert close_connections_named(rabbit.broker.connection_name) == 1
        rabbit.publish_events(conversation, [conversation.user("après")])
        wait_until(lambda: count_rows(engine_of(app)) == 2, timeout=30, what="the reconnection")
        wait_until(lambda: rabbit.counts()[1] == 1, what="the consumer again")


def test_competing_consumers_share_the_queue_and_store_each_event_once(
    app: FastAPI, rabbit: Rabbit
) -> None:
    conversations = [Conversation(sender_id=f"assure-{i}-x") for i in range(20)]
    for conversation in conversations:
        for n in range(10):
            conversation.user(f"message {n}")
    batches: list[list[int]] = [[], []]
    consumers = [
        RunningConsumer(
            rabbit.broker,
            app.state.sessionmaker,
            batch_size=5,
            after_commit=batches[i].append,
            **FAST,
        )
        for i in range(2)
    ]
    with consumers[0], consumers[1]:
        wait_until(lambda: rabbit.counts()[1] == 2, what="two consumers")
        for conversation in conversations:
            rabbit.publish_events(conversation, conversation.events)
        wait_until(lambda: count_rows(engine_of(app)) == 200, timeout=30)
    assert sum(batches[0]) + sum(batches[1]) == 200
    assert sum(batches[0]) > 0 and sum(batches[1]) > 0


def test_the_process_stops_on_sigterm_and_logs_no_content(
    settings: Settings, app: FastAPI, rabbit: Rabbit
) -> None:
    conversation = Conversation(sender_id="assure-31-secret-sender")
    events = [
        conversation.user("texte-a-ne-jamais-journaliser"),
        conversation.bot("Ok", "utter_ok"),
    ]
    environment = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        **TEST_KEYS_ENV,
        "RABBITMQ_URL": rabbit.broker.url,
        "EVENT_QUEUE": rabbit.broker.queue,
        "EVENT_EXCHANGE": rabbit.broker.exchange,
        "LOG_LEVEL": "DEBUG",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "api.events.consumer"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_until(lambda: rabbit.counts()[1] == 1, timeout=30, what="the consumer")
        rabbit.publish_events(conversation, events)
        rabbit.publish(b"{broken " + SECRET_TOKEN.encode())
        wait_until(lambda: count_rows(engine_of(app)) == 2)
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0
    assert "consumer stopped" in output and "dead-lettered: not-json" in output
    for secret in ("texte-a-ne-jamais", "secret-sender", SECRET_TOKEN, "guest:guest"):
        assert secret not in output
    assert rabbit.counts() == (0, 0)


def test_rasa_and_the_consumer_declare_the_same_exchange_and_queue(rabbit: Rabbit) -> None:
    """Whichever starts first: RabbitMQ refuses a second declaration that differs (406)."""
    connection = pika.BlockingConnection(pika.URLParameters(rabbit.broker.url))
    try:
        channel = connection.channel()
        # As Rasa's broker declares them (aio-pika's defaults: a non-durable exchange).
        channel.exchange_declare(exchange=rabbit.broker.exchange, exchange_type="fanout")
        channel.queue_declare(queue=rabbit.broker.queue, durable=True)
        rabbit.declare()  # the consumer's declarations are accepted
        with pytest.raises(pika.exceptions.ChannelClosedByBroker) as refused:
            channel.exchange_declare(
                exchange=rabbit.broker.exchange, exchange_type="fanout", durable=True
            )
        assert refused.value.reply_code == 406
    finally:
        connection.close()
