"""The real user messages that reached the assistant, read from Rasa's SQL tracker store.

Only the text and Rasa's parse data are taken from each event: the event's `metadata` holds
the user's API token and is never read. Sender ids are reduced to a hash inside the key.
With INBOX_SOURCE=events the same query reads `conversation_event`, the copy the event
consumer keeps in our database (same columns, same keys, so decisions carry over).
"""

import hashlib
import json
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine, Table, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from api.core.clock import local_day_end, local_midnight
from api.core.config import Settings
from api.core.errors import DomainError
from api.core.tracker_store import events, tracker_engine
from api.events.models import ConversationEvent
from api.training.nlu_files import NluData

FALLBACK_INTENT = "nlu_fallback"
# The newest user events looked at for one inbox page (the tracker store only grows).
SCAN_LIMIT = 5000


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
class PredictedEntity:
    entity: str
    value: str
    start: int
    end: int


@dataclass(frozen=True)
class InboxMessage:
    key: str
    text: str
    intent: str
    confidence: float
    entities: list[PredictedEntity]
    ranking: list[tuple[str, float]]
    at: datetime

    @property
    def is_fallback(self) -> bool:
        return self.intent == FALLBACK_INTENT


@dataclass(frozen=True)
class InboxFilters:
    intent: str | None = None
    since: date | None = None
    until: date | None = None
    max_confidence: float | None = None


@dataclass
class InboxPage:
    messages: list[InboxMessage] = field(default_factory=list)
    intents: list[str] = field(default_factory=list)


def message_key(sender_id: str, timestamp: float, text: str) -> str:
    """Stable across reads, and says nothing of the sender."""
    raw = f"{sender_id}\x1f{timestamp!r}\x1f{text}".encode()
    return hashlib.sha256(raw).hexdigest()[:40]


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


def _parse(row: Any) -> InboxMessage | None:
    try:
        # Text in Rasa's table; already decoded from our JSON column.
        data = row.data if isinstance(row.data, dict) else json.loads(row.data)
    except (TypeError, ValueError):
        return None
    text = data.get("text") if isinstance(data, dict) else None
    parse = data.get("parse_data") if isinstance(data, dict) else None
    if not isinstance(text, str) or not text.strip() or text.startswith("/"):
        return None
    parse = parse if isinstance(parse, dict) else {}
    intent = parse.get("intent") or {}
    entities = [
        PredictedEntity(
            entity=str(e.get("entity", "")),
            value=str(e.get("value", "")),
            start=int(e.get("start", 0)),
            end=int(e.get("end", 0)),
        )
        for e in parse.get("entities") or []
        if isinstance(e, dict)
        and isinstance(e.get("start"), int)
        and isinstance(e.get("end"), int)
        and e["end"] > e["start"]
    ]
    ranking = [
        (str(r.get("name")), float(r.get("confidence") or 0.0))
        for r in parse.get("intent_ranking") or []
        if isinstance(r, dict)
    ]
    return InboxMessage(
        key=message_key(row.sender_id, row.timestamp, text),
        text=text,
        intent=str(intent.get("name") or row.intent_name or FALLBACK_INTENT),
        confidence=float(intent.get("confidence") or 0.0),
        entities=entities,
        ranking=ranking[:5],
        at=datetime.fromtimestamp(row.timestamp, UTC),
    )


def read_messages(
    *,
    source: InboxSource,
    filters: InboxFilters,
    timezone: str,
    nlu: NluData,
    handled: Collection[str],
    limit: int = 100,
) -> InboxPage:
    """Messages to review: lowest confidence and fallbacks first, known and handled ones hidden."""
    table = source.table
    query = (
        select(table.c.sender_id, table.c.timestamp, table.c.intent_name, table.c.data)
        .where(table.c.type_name == "user")
        .order_by(table.c.timestamp.desc())
        .limit(SCAN_LIMIT)
    )
    since = local_bound(filters.since, timezone, end=False) if filters.since else None
    until = local_bound(filters.until, timezone, end=True) if filters.until else None
    if since is not None:
        query = query.where(table.c.timestamp >= since)
    if until is not None:
        query = query.where(table.c.timestamp < until)
    try:
        with source.engine.connect() as connection:
            rows = connection.execute(query).all()
    except SQLAlchemyError as error:
        raise TrackerStoreUnavailable(type(error).__name__) from None
    seen: set[str] = set()
    found: list[InboxMessage] = []
    intents: set[str] = set()
    for row in rows:
        message = _parse(row)
        if message is None or message.key in seen or message.key in handled:
            continue
        seen.add(message.key)
        if nlu.knows(message.text):
            continue
        intents.add(message.intent)
        if filters.intent and message.intent != filters.intent:
            continue
        if filters.max_confidence is not None and message.confidence > filters.max_confidence:
            continue
        found.append(message)
    found.sort(key=lambda m: (not m.is_fallback, m.confidence, -m.at.timestamp()))
    return InboxPage(messages=found[:limit], intents=sorted(intents))


def find_message(
    *, source: InboxSource, key: str, timezone: str, nlu: NluData
) -> InboxMessage | None:
    page = read_messages(
        source=source,
        filters=InboxFilters(),
        timezone=timezone,
        nlu=nlu,
        handled=(),
        limit=SCAN_LIMIT,
    )
    return next((m for m in page.messages if m.key == key), None)
