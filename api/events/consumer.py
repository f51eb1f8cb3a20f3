"""The event consumer: Rasa's events from RabbitMQ into `conversation_event`, each stored once.

    python -m api.events.consumer

Rasa's Pika broker publishes every new event of a conversation to a fanout exchange bound to
durable queues. This process takes a batch from EVENT_QUEUE (prefetch), inserts it with
INSERT … ON CONFLICT DO NOTHING on the event's key in one transaction, and acknowledges the
batch only after the commit: a crash before the acknowledgement means redelivery, which stores
nothing twice. Messages that are not Rasa events go to `<EVENT_QUEUE>.dead_letter` and never
hold up the stream. Several consumers may share the queue. Logs carry counts and reasons,
never a message's content or a conversation's id.
"""

import logging
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import pika
import pika.exceptions
from pika.adapters.blocking_connection import BlockingChannel
from sqlalchemy.exc import DataError, IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from api.core.config import get_settings
from api.core.db import begin_write, make_engine, make_sessionmaker
from api.events import service
from api.events.records import EventRecord, MalformedEvent, from_broker_body

log = logging.getLogger("api.events")

BATCH_SIZE = 200
# A batch is written when full or when its first message has waited this long.
BATCH_WAIT_SECONDS = 0.5
POLL_SECONDS = 0.2
FIRST_BACKOFF_SECONDS = 1.0
MAX_BACKOFF_SECONDS = 30.0
REASON_HEADER = "x-vigilance-reason"
BROKER_ERRORS = (pika.exceptions.AMQPError, OSError)


@dataclass(frozen=True)
class Broker:
    url: str
    queue: str
    exchange: str
    # How RabbitMQ lists our connections (`rabbitmqctl list_connections client_properties`).
    connection_name: str = "vigilance-event-consumer"

    def parameters(self) -> pika.URLParameters:
        parameters = pika.URLParameters(self.url)
        parameters.client_properties = {"connection_name": self.connection_name}
        return parameters

    @property
    def dead_letter_queue(self) -> str:
        return f"{self.queue}.dead_letter"

    @property
    def where(self) -> str:
        """host:port, for logs (never the credentials)."""
        parts = urlsplit(self.url)
        return f"{parts.hostname}:{parts.port or 5672}"


def declare(channel: BlockingChannel, broker: Broker) -> None:
    """The exchange and queue exactly as Rasa's broker declares them, so either may start first
    (a different durability or argument would make RabbitMQ refuse the second declaration)."""
    channel.exchange_declare(exchange=broker.exchange, exchange_type="fanout")
    channel.queue_declare(queue=broker.queue, durable=True)
    channel.queue_bind(queue=broker.queue, exchange=broker.exchange)
    channel.queue_declare(queue=broker.dead_letter_queue, durable=True)


def dead_letter_properties(reason: str) -> pika.BasicProperties:
    """Persistent, with why it was set aside (a short code)."""
    properties: pika.BasicProperties = pika.BasicProperties(  # type: ignore[no-untyped-call]
        delivery_mode=2, headers={REASON_HEADER: reason}
    )
    return properties


class Backoff:
    def __init__(self, first: float = FIRST_BACKOFF_SECONDS, limit: float = MAX_BACKOFF_SECONDS):
        self.first, self.limit, self.delay = first, limit, first

    def next(self) -> float:
        delay, self.delay = self.delay, min(self.delay * 2, self.limit)
        return delay

    def reset(self) -> None:
        self.delay = self.first


@dataclass(frozen=True)
class Delivery:
    tag: int
    body: bytes


class EventConsumer:
    """One consumer of the queue; `run()` returns once `stop` is set and its batch is settled."""

    def __init__(
        self,
        *,
        broker: Broker,
        sessionmaker: sessionmaker[Session],
        stop: threading.Event,
        batch_size: int = BATCH_SIZE,
        batch_wait: float = BATCH_WAIT_SECONDS,
        max_backoff: float = MAX_BACKOFF_SECONDS,
        after_commit: Callable[[int], None] | None = None,
    ) -> None:
        self.broker = broker
        self.sessionmaker = sessionmaker
        self.stop = stop
        self.batch_size = batch_size
        self.batch_wait = batch_wait
        self.backoff = Backoff(limit=max_backoff)
        # Called with the number of new rows between the commit and the acknowledgement.
        self.after_commit = after_commit

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                connection = pika.BlockingConnection(self.broker.parameters())
            except BROKER_ERRORS as error:
                self._wait_for_broker(error)
                continue
            try:
                self._consume(connection)
            except BROKER_ERRORS as error:
                self._wait_for_broker(error)
            finally:
                if connection.is_open:
                    connection.close()

    def _wait_for_broker(self, error: BaseException) -> None:
        delay = self.backoff.next()
        # The broker's reply (e.g. 406 PRECONDITION_FAILED for a queue declared otherwise by
        # Rasa) names queues, never a message's content.
        reply = getattr(error, "reply_text", "")
        log.warning(
            "RabbitMQ at %s unavailable (%s%s), retrying in %.0f s",
            self.broker.where,
            type(error).__name__,
            f": {reply}" if reply else "",
            delay,
        )
        self.stop.wait(delay)

    def _consume(self, connection: pika.BlockingConnection) -> None:
        channel = connection.channel()
        channel.confirm_delivery()  # a dead-lettered message is acknowledged once RabbitMQ has it
        declare(channel, self.broker)
        channel.basic_qos(prefetch_count=self.batch_size)
        log.info("consuming %s on %s", self.broker.queue, self.broker.where)
        self.backoff.reset()
        batch: list[Delivery] = []
        deadline = 0.0
        for method, _properties, body in channel.consume(
            self.broker.queue, inactivity_timeout=POLL_SECONDS
        ):
            if method is not None and body is not None:
                if not batch:
                    deadline = time.monotonic() + self.batch_wait
                batch.append(Delivery(tag=method.delivery_tag, body=body))
            full = len(batch) >= self.batch_size
            if batch and (full or time.monotonic() >= deadline or self.stop.is_set()):
                if not self._settle(connection, channel, batch):
                    break  # stopping while the database is down: RabbitMQ keeps the batch
                batch = []
            if self.stop.is_set() and not batch:
                break
        channel.cancel()  # prefetched messages go back to the queue
        log.info("consumer stopped")

    def _settle(
        self, connection: pika.BlockingConnection, channel: BlockingChannel, batch: list[Delivery]
    ) -> bool:
        """Store the batch, dead-letter what cannot be stored, then acknowledge it all."""
        records: list[tuple[Delivery, EventRecord]] = []
        rejected: list[tuple[Delivery, str]] = []
        for delivery in batch:
            try:
                records.append((delivery, from_broker_body(delivery.body)))
            except MalformedEvent as error:
                rejected.append((delivery, error.reason))
        outcome = self._store(connection, records)
        if outcome is None:
            return False
        stored, poison = outcome
        rejected.extend((delivery, "refused-by-database") for delivery in poison)
        if self.after_commit is not None:
            self.after_commit(stored)
        for delivery, reason in rejected:
            channel.basic_publish(
                exchange="",
                routing_key=self.broker.dead_letter_queue,
                body=delivery.body,
                properties=dead_letter_properties(reason),
                mandatory=True,
            )
        channel.basic_ack(delivery_tag=batch[-1].tag, multiple=True)
        known = len(records) - len(poison) - stored
        log.debug("batch of %d: %d stored, %d already stored", len(batch), stored, known)
        if rejected:
            reasons = sorted({reason for _, reason in rejected})
            log.warning("%d message(s) dead-lettered: %s", len(rejected), ", ".join(reasons))
        return True

    def _store(
        self, connection: pika.BlockingConnection, records: list[tuple[Delivery, EventRecord]]
    ) -> tuple[int, list[Delivery]] | None:
        """(new rows, deliveries the database refuses); None if told to stop while it is down."""
        backoff = Backoff(limit=self.backoff.limit)
        while True:
            try:
                try:
                    return self._insert([record for _, record in records]), []
                except (DataError, IntegrityError):
                    return self._insert_one_by_one(records)
            except SQLAlchemyError as error:
                delay = backoff.next()
                log.warning(
                    "database unavailable (%s), retrying in %.0f s", type(error).__name__, delay
                )
                if not self._sleep(connection, delay):
                    return None

    def _insert(self, records: list[EventRecord]) -> int:
        with self.sessionmaker() as session:
            begin_write(session)
            stored = service.store_events(session=session, records=records)
            session.commit()
        return stored

    def _insert_one_by_one(
        self, records: list[tuple[Delivery, EventRecord]]
    ) -> tuple[int, list[Delivery]]:
        """A batch the database refused: find the rows it refuses, store the others."""
        stored, poison = 0, []
        for delivery, record in records:
            try:
                stored += self._insert([record])
            except (DataError, IntegrityError):
                poison.append(delivery)
        return stored, poison

    def _sleep(self, connection: pika.BlockingConnection, seconds: float) -> bool:
        """Wait while keeping RabbitMQ's heartbeats; False if told to stop meanwhile."""
        until = time.monotonic() + seconds
        while not self.stop.is_set():
            left = until - time.monotonic()
            if left <= 0:
                return True
            connection.sleep(min(left, POLL_SECONDS))
        return False


def main() -> int:
    settings = get_settings()
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    # pika logs frames and connection details at INFO and below.
    logging.getLogger("pika").setLevel(logging.WARNING)
    engine = make_engine(settings.database_url)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    broker = Broker(
        url=settings.rabbitmq_url, queue=settings.event_queue, exchange=settings.event_exchange
    )
    try:
        EventConsumer(broker=broker, sessionmaker=make_sessionmaker(engine), stop=stop).run()
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
