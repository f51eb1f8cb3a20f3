"""The real RabbitMQ for the event stream's tests, and events built exactly as Rasa builds them.

Each test gets its own exchange and queue (deleted afterwards). Bodies are what Rasa's
`TrackerStore._stream_new_events` publishes, `json.dumps({"sender_id": …, **event.as_dict()})`,
and tracker rows what `SQLTrackerStore.save` stores, `json.dumps(event.as_dict())`.
"""

import json
import os
import shutil
import subprocess
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pika
import pika.exceptions
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from api.events.consumer import Broker, EventConsumer, declare

RABBITMQ_URL = os.environ.get("TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")
SECRET_TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.signature-never-stored"


def wait_until(condition: Callable[[], bool], timeout: float = 15.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or condition}")
        time.sleep(0.05)


@dataclass
class Conversation:
    """A conversation's events as Rasa's `Event.as_dict()` gives them."""

    sender_id: str = "assure-7-a1b2c3"
    clock: float = 1_780_000_000.123456
    events: list[dict[str, Any]] = field(default_factory=list)

    def _stamp(self) -> float:
        self.clock += 1.000173
        return self.clock

    def user(self, text: str, intent: str = "greet", confidence: float = 0.91) -> dict[str, Any]:
        event = {
            "event": "user",
            "timestamp": self._stamp(),
            "metadata": {
                "access_token": SECRET_TOKEN,
                "auth": {"policyholder_id": 7, "session": "s-123", "expires_at": 1},
                "model_id": "8f1c2d",
            },
            "text": text,
            "parse_data": {
                "intent": {"name": intent, "confidence": confidence},
                "entities": [],
                "text": text,
                "message_id": uuid.uuid4().hex,
                "metadata": {"access_token": SECRET_TOKEN},
                "intent_ranking": [{"name": intent, "confidence": confidence}],
            },
            "input_channel": "rest",
            "message_id": uuid.uuid4().hex,
        }
        self.events.append(event)
        return event

    def bot(self, text: str, response: str) -> dict[str, Any]:
        event = {
            "event": "bot",
            "timestamp": self._stamp(),
            "metadata": {"utter_action": response, "reference": "SIG-2026-000042"},
            "text": text,
            "data": {"buttons": None},
        }
        self.events.append(event)
        return event

    def action(self, name: str) -> dict[str, Any]:
        event = {
            "event": "action",
            "timestamp": self._stamp(),
            "metadata": {"model_id": "8f1c2d"},
            "name": name,
            "policy": "RulePolicy",
            "confidence": 1.0,
            "action_text": None,
            "hide_rule_turn": False,
        }
        self.events.append(event)
        return event

    def slot(self, name: str, value: Any) -> dict[str, Any]:
        event = {"event": "slot", "timestamp": self._stamp(), "name": name, "value": value}
        self.events.append(event)
        return event

    def story(self) -> "Conversation":
        """A short conversation that files a report."""
        self.action("action_session_start")
        self.user("bonjour")
        self.action("utter_greet")
        self.bot("Bonjour !", "utter_greet")
        self.user("le docteur Zorglub m'a facturé un soin fantôme", "report_suspicious", 0.42)
        self.slot("act_description", "le docteur Zorglub m'a facturé un soin fantôme")
        self.slot("report_key", "k-0f9e8d7c6b5a49382716")
        self.slot("requested_slot", "care_date")
        self.action("action_file_report")
        self.bot("Votre signalement SIG-2026-000042 est enregistré.", "utter_report_filed")
        self.slot("report_reference", "SIG-2026-000042")
        return self


def rasa_body(sender_id: str, event: dict[str, Any]) -> bytes:
    """What Rasa's tracker store hands its Pika broker for one new event."""
    body = {"sender_id": sender_id}
    body.update(event)
    return json.dumps(body).encode()


@dataclass
class Rabbit:
    broker: Broker

    def declare(self) -> None:
        """The exchange and queues, as the consumer declares them when it starts."""
        connection = pika.BlockingConnection(pika.URLParameters(self.broker.url))
        try:
            declare(connection.channel(), self.broker)
        finally:
            connection.close()

    def publish(self, *bodies: bytes) -> None:
        """Publish to the exchange, persistent, as Rasa's broker does."""
        connection = pika.BlockingConnection(pika.URLParameters(self.broker.url))
        try:
            channel = connection.channel()
            channel.confirm_delivery()
            for body in bodies:
                channel.basic_publish(
                    exchange=self.broker.exchange,
                    routing_key="",
                    body=body,
                    # pika's BasicProperties has no annotations (as in api/events/consumer.py).
                    properties=pika.BasicProperties(delivery_mode=2),  # type: ignore[no-untyped-call]
                )
        finally:
            connection.close()

    def publish_events(self, conversation: Conversation, events: list[dict[str, Any]]) -> None:
        self.publish(*(rasa_body(conversation.sender_id, e) for e in events))

    def counts(self, queue: str | None = None) -> tuple[int, int]:
        """(messages ready, consumers) of a queue (the event queue by default)."""
        connection = pika.BlockingConnection(pika.URLParameters(self.broker.url))
        try:
            ok = connection.channel().queue_declare(queue=queue or self.broker.queue, passive=True)
            return ok.method.message_count, ok.method.consumer_count
        except pika.exceptions.ChannelClosedByBroker as error:
            if error.reply_code == 404:  # not declared yet
                return 0, 0
            raise
        finally:
            connection.close()

    def take_dead_letters(self) -> list[tuple[bytes, dict[str, Any]]]:
        connection = pika.BlockingConnection(pika.URLParameters(self.broker.url))
        found: list[tuple[bytes, dict[str, Any]]] = []
        try:
            channel = connection.channel()
            while True:
                method, properties, body = channel.basic_get(self.broker.dead_letter_queue)
                if method is None:
                    return found
                assert properties is not None and body is not None  # a message has both
                found.append((body, dict(properties.headers or {})))
                channel.basic_ack(method.delivery_tag)
        finally:
            connection.close()

    def delete(self) -> None:
        connection = pika.BlockingConnection(pika.URLParameters(self.broker.url))
        try:
            channel = connection.channel()
            for queue in (self.broker.queue, self.broker.dead_letter_queue):
                channel.queue_delete(queue=queue)
            channel.exchange_delete(exchange=self.broker.exchange)
        finally:
            connection.close()


def new_broker() -> Rabbit:
    suffix = uuid.uuid4().hex[:10]
    broker = Broker(
        url=RABBITMQ_URL,
        queue=f"test_events_{suffix}",
        exchange=f"test_x_{suffix}",
        connection_name=f"test-consumer-{suffix}",
    )
    return Rabbit(broker)


class RunningConsumer:
    """An EventConsumer in a thread of the test process, stopped like SIGTERM would."""

    def __init__(self, broker: Broker, factory: sessionmaker[Session], **options: Any) -> None:
        self.stop = threading.Event()
        self.consumer = EventConsumer(
            broker=broker, sessionmaker=factory, stop=self.stop, **options
        )
        self.thread = threading.Thread(target=self.consumer.run, daemon=True)

    def __enter__(self) -> "RunningConsumer":
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        self.thread.join(timeout=15)
        assert not self.thread.is_alive(), "the consumer did not stop"


def count_rows(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM conversation_event")).scalar_one())


RABBITMQCTL = shutil.which("rabbitmqctl") or "/usr/sbin/rabbitmqctl"


def close_connections_named(name: str) -> int:
    """Make RabbitMQ drop the connections a client named `name` (as when the broker restarts)."""
    listing = subprocess.run(
        [RABBITMQCTL, "-q", "list_connections", "pid", "client_properties"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    pids = [line.split("\t", 1)[0] for line in listing.splitlines() if name in line]
    for pid in pids:
        subprocess.run(
            [RABBITMQCTL, "-q", "close_connection", pid, "test: broker went away"],
            capture_output=True,
            check=True,
        )
    return len(pids)


class TrackerTable:
    """Rasa's SQL tracker store `events` table, filled as `SQLTrackerStore.save` fills it."""

    DDL = (
        "CREATE TABLE events ("
        " id {id} PRIMARY KEY,"
        " sender_id VARCHAR(255) NOT NULL,"
        " type_name VARCHAR(255) NOT NULL,"
        " timestamp FLOAT,"
        " intent_name VARCHAR(255),"
        " action_name VARCHAR(255),"
        " data TEXT)"
    )

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create(self) -> None:
        serial = "SERIAL" if self.engine.dialect.name == "postgresql" else "INTEGER"
        with self.engine.begin() as connection:
            connection.execute(text(self.DDL.format(id=serial)))

    def drop(self) -> None:
        with self.engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS events"))

    def save(self, conversation: Conversation, events: list[dict[str, Any]]) -> None:
        rows = [
            {
                "sender_id": conversation.sender_id,
                "type_name": event["event"],
                "timestamp": event.get("timestamp"),
                "intent_name": event.get("parse_data", {}).get("intent", {}).get("name"),
                "action_name": event.get("name"),
                "data": json.dumps(event),
            }
            for event in events
        ]
        with self.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO events (sender_id, type_name, timestamp, intent_name, "
                    "action_name, data) VALUES (:sender_id, :type_name, :timestamp, "
                    ":intent_name, :action_name, :data)"
                ),
                rows,
            )
