"""The real user messages that reached the assistant, read from Rasa's SQL tracker store.

Only the text and Rasa's parse data are taken from each event: the event's `metadata` holds
the user's API token and is never read. Sender ids are reduced to a hash inside the key.
With INBOX_SOURCE=events the same query reads `conversation_event`, the copy the event
consumer keeps in our database (same columns, same keys, so decisions carry over).

Pages follow the whole store newest first by keyset (`timestamp`, `id`): a page never costs
more than `SCAN_LIMIT` rows whatever the store's size, and no message is lost or repeated.
"""

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Engine, Select, Table, and_, or_, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from api.core.clock import local_day_end, local_midnight
from api.core.config import Settings
from api.core.errors import DomainError
from api.core.tracker_store import events, tracker_engine
from api.events.models import ConversationEvent
from api.training import inbox_context
from api.training.inbox_rows import (
    FALLBACK_INTENT,
    InboxMessage,
    PredictedEntity,
    event_data,
    message_key,
    parse_row,
)
from api.training.nlu_files import NluData

# The most rows one page reads before it stops (its link then goes on from there).
SCAN_LIMIT = 5000
BATCH = 500
PAGE_SIZE = 50
# Read here by the rest of the project (retention, backfill, tests).
__all__ = [
    "FALLBACK_INTENT",
    "InboxMessage",
    "PredictedEntity",
    "event_data",
    "message_key",
    "parse_row",
]


class TrackerStoreUnavailable(DomainError):
    """The tracker store cannot be read (missing file, server down, no `events` table)."""

    code = "tracker_store_unavailable"

    def __init__(self, cause: str) -> None:
        super().__init__(
            "Les conversations de l'assistant ne peuvent pas être lues pour le moment "
            "(base des conversations indisponible)."
        )
        self.cause = cause


@dataclass(frozen=True)
class InboxSource:
    """A table shaped like Rasa's `events` (sender_id, type_name, timestamp, intent_name, data)."""

    engine: Engine
    table: Table


@dataclass(frozen=True)
class InboxFilters:
    intent: str | None = None
    since: date | None = None
    until: date | None = None
    max_confidence: float | None = None
    misunderstood: bool = False
    contains: str | None = None


@dataclass(frozen=True)
class Cursor:
    """Where the next page starts: after the row (timestamp, id), newest first."""

    timestamp: float
    row_id: int

    def encode(self) -> str:
        return f"{self.timestamp!r}_{self.row_id}"

    @classmethod
    def decode(cls, raw: str) -> "Cursor | None":
        stamp, _, row_id = raw.partition("_")
        try:
            return cls(float(stamp), int(row_id)) if row_id.isdigit() else None
        except ValueError:
            return None


@dataclass
class InboxPage:
    messages: list[InboxMessage] = field(default_factory=list)
    intents: list[str] = field(default_factory=list)
    next_cursor: Cursor | None = None


@contextmanager
def inbox_source(*, settings: Settings, session: Session) -> Iterator[InboxSource]:
    """Where INBOX_SOURCE says the inbox reads: Rasa's tracker store, or `conversation_event`."""
    if settings.inbox_source == "events":
        bind = session.get_bind()
        assert isinstance(bind, Engine)
        yield InboxSource(engine=bind, table=ConversationEvent.__table__)  # type: ignore[arg-type]
        return
    with tracker_engine(settings.tracker_store_url) as engine:
        yield InboxSource(engine=engine, table=events)


def local_bound(day: date, timezone: str, *, end: bool) -> float | None:
    """The instant a local day starts (or ends) as Rasa's timestamps; None beyond the calendar."""
    moment = local_day_end(day, timezone) if end else local_midnight(day, timezone)
    return moment.timestamp() if moment else None


def user_rows(table: Table, filters: InboxFilters, timezone: str) -> Select[Any]:
    """The user events the filters can name in SQL, newest first (the keyset's order)."""
    c = table.c
    query = select(c.id, c.sender_id, c.timestamp, c.intent_name, c.data).where(
        c.type_name == "user"
    )
    since = local_bound(filters.since, timezone, end=False) if filters.since else None
    until = local_bound(filters.until, timezone, end=True) if filters.until else None
    if since is not None:
        query = query.where(c.timestamp >= since)
    if until is not None:
        query = query.where(c.timestamp < until)
    intent = FALLBACK_INTENT if filters.misunderstood else filters.intent
    if intent:
        query = query.where(c.intent_name == intent)
    if filters.max_confidence is not None and "confidence" in c:
        query = query.where(c.confidence <= filters.max_confidence)
    return query.order_by(c.timestamp.desc(), c.id.desc())


def after(table: Table, cursor: Cursor) -> ColumnElement[bool]:
    c = table.c
    # The first term bounds the index range; the second breaks ties on the same instant.
    return and_(
        c.timestamp <= cursor.timestamp,
        or_(c.timestamp < cursor.timestamp, c.id < cursor.row_id),
    )


def _kept(message: InboxMessage, filters: InboxFilters) -> bool:
    if filters.intent and message.intent != filters.intent:
        return False
    if filters.max_confidence is not None and message.confidence > filters.max_confidence:
        return False
    contains = (filters.contains or "").casefold()
    return not contains or contains in " ".join(message.text.split()).casefold()


@dataclass
class _Scan:
    source: InboxSource
    filters: InboxFilters
    nlu: NluData
    handled: Collection[str]
    found: list[InboxMessage] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    connection: Any = None

    def take(self, row: Any) -> None:
        message = parse_row(row)
        if message is None or message.key in self.seen or message.key in self.handled:
            return
        self.seen.add(message.key)
        if self.nlu.knows(message.text) or not _kept(message, self.filters):
            return
        if message.is_fallback or message.confidence < 0.9:
            question = inbox_context.question_before(self.source.table, row, self.connection)
            message = replace(message, question=question)
        if self.filters.misunderstood and not message.misunderstood:
            return
        self.found.append(message)


def read_messages(
    *,
    source: InboxSource,
    filters: InboxFilters,
    timezone: str,
    nlu: NluData,
    handled: Collection[str],
    limit: int = PAGE_SIZE,
    cursor: Cursor | None = None,
) -> InboxPage:
    """One page of messages to review, newest first by keyset; within the page the
    misunderstood and the least sure first. Known and handled messages are hidden."""
    scan = _Scan(source=source, filters=filters, nlu=nlu, handled=handled)
    query = user_rows(source.table, filters, timezone)
    position, read, exhausted = cursor, 0, False
    try:
        with source.engine.connect() as connection:
            scan.connection = connection
            while len(scan.found) < limit and read < SCAN_LIMIT and not exhausted:
                batch_query = (
                    query if position is None else query.where(after(source.table, position))
                )
                rows = connection.execute(batch_query.limit(BATCH)).all()
                exhausted = len(rows) < BATCH
                for row in rows:
                    read += 1
                    position = Cursor(row.timestamp, row.id)
                    scan.take(row)
                    if len(scan.found) >= limit:
                        exhausted = exhausted and row is rows[-1]
                        break
    except SQLAlchemyError as error:
        raise TrackerStoreUnavailable(type(error).__name__) from None
    found = sorted(scan.found, key=lambda m: (not m.misunderstood, m.confidence, -m.at.timestamp()))
    intents = sorted({m.intent for m in found})
    return InboxPage(messages=found, intents=intents, next_cursor=None if exhausted else position)


def find_message(
    *, source: InboxSource, key: str, timezone: str, nlu: NluData
) -> InboxMessage | None:
    """A message by its address (`<key>-<row id>`: one row read), or by its key alone among
    the newest messages."""
    key, _, row_id = key.partition("-")
    table = source.table
    query = user_rows(table, InboxFilters(), timezone)
    if row_id.isdigit():
        query = query.where(table.c.id == int(row_id))
    try:
        with source.engine.connect() as connection:
            for row in connection.execute(query.limit(SCAN_LIMIT)):
                message = parse_row(row)
                if message is not None and message.key == key and not nlu.knows(message.text):
                    question = inbox_context.question_before(table, row, connection)
                    return replace(message, question=question)
    except SQLAlchemyError as error:
        raise TrackerStoreUnavailable(type(error).__name__) from None
    return None
