"""Deleting conversations whose last event is older than the period, whole, per sender.

Two stores hold conversations' events: Rasa's SQL tracker store (`TRACKER_STORE_URL`, table
`events`) and, when the event consumer (api/events/) has created it, the API database's copy
`conversation_event`. Each is purged on its own, by the same rule, a batch of whole
conversations per transaction; the DELETE checks again that no newer event arrived, so a
conversation the person resumed meanwhile is left whole.

Messages trainers handled (`training_decision`, keyed by a hash of sender, time and text) lose
their purpose with the message: their keys are computed from the events about to go, and the
decisions deleted first (a crash in between only shows those messages again in the inbox until
the next run). The trainers' log keeps a discarded message's text: it is blanked after the same
period.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    CursorResult,
    Engine,
    Float,
    MetaData,
    String,
    Table,
    delete,
    exists,
    func,
    inspect,
    select,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from sqlalchemy.types import DateTime

from api.core.db import UTCDateTime
from api.training import inbox
from api.training.models import TrainingDecision, TrainingEvent

# The event consumer's copy of the event stream (api/events/), when it exists.
API_COPY_TABLE = "conversation_event"
SENDER_COLUMNS = ("sender_id", "conversation_id")
TIME_COLUMNS = ("timestamp", "occurred_at", "created_at")
DISCARDED_ACTION = "message_discarded"
ERASED_DISCARDED = "Message écarté (texte effacé\u00a0: durée de conservation écoulée)."
KEY_CHUNK = 500


class UnknownLayout(Exception):
    """The copy table exists without a sender and a time column this module knows."""


@dataclass(frozen=True)
class ConversationStore:
    """A table of conversation events: who (sender) and when (epoch seconds or a datetime)."""

    name: str
    table: Table
    epoch_seconds: bool

    @property
    def sender(self) -> ColumnElement[str]:
        return cast(ColumnElement[str], self.table.c[0])

    @property
    def at(self) -> ColumnElement[Any]:
        return cast(ColumnElement[Any], self.table.c[1])

    def bound(self, cutoff: datetime) -> float | datetime:
        return cutoff.timestamp() if self.epoch_seconds else cutoff


def tracker_store() -> ConversationStore:
    table = Table(
        "events", MetaData(), Column("sender_id", String(255)), Column("timestamp", Float)
    )
    return ConversationStore("tracker_store", table, epoch_seconds=True)


def tracker_store_exists(url: str, engine: Engine) -> bool:
    """False for a SQLite file that does not exist (never created here) or without `events`."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").is_file():
        return False
    return inspect(engine).has_table("events")


def api_copy(engine: Engine) -> ConversationStore | None:
    """The API database's copy of the events, if that table exists (None otherwise)."""
    inspector = inspect(engine)
    if not inspector.has_table(API_COPY_TABLE):
        return None
    types = {column["name"]: column["type"] for column in inspector.get_columns(API_COPY_TABLE)}
    sender = next((name for name in SENDER_COLUMNS if name in types), None)
    at = next((name for name in TIME_COLUMNS if name in types), None)
    if sender is None or at is None:
        raise UnknownLayout(API_COPY_TABLE)
    epoch = not isinstance(types[at], DateTime)
    table = Table(
        API_COPY_TABLE,
        MetaData(),
        Column(sender, String(255)),
        Column(at, Float if epoch else UTCDateTime()),
    )
    return ConversationStore("api_copy", table, epoch_seconds=epoch)


def expired_senders(
    *, connection: Connection, store: ConversationStore, cutoff: datetime, limit: int
) -> list[str]:
    """Conversations whose last event is older than the cutoff, the oldest first."""
    last = func.max(store.at)
    stmt = (
        select(store.sender)
        .group_by(store.sender)
        .having(last < store.bound(cutoff))
        .order_by(last, store.sender)
        .limit(limit)
    )
    return list(connection.scalars(stmt))


def count_expired(*, connection: Connection, store: ConversationStore, cutoff: datetime) -> int:
    expired = (
        select(store.sender)
        .group_by(store.sender)
        .having(func.max(store.at) < store.bound(cutoff))
        .subquery()
    )
    return connection.scalar(select(func.count()).select_from(expired)) or 0


def delete_conversations(
    *, connection: Connection, store: ConversationStore, senders: list[str], cutoff: datetime
) -> tuple[int, int]:
    """Delete every event of these conversations unless one of them has a newer event now.

    Returns (conversations, events) deleted.
    """
    if not senders:
        return 0, 0
    newer = store.table.alias("newer")
    resumed = exists().where(newer.c[0] == store.sender, newer.c[1] >= store.bound(cutoff))
    stmt = delete(store.table).where(store.sender.in_(senders), ~resumed).returning(store.sender)
    gone = list(connection.scalars(stmt))
    return len(set(gone)), len(gone)


def message_keys(*, connection: Connection, senders: list[str]) -> list[str]:
    """The inbox keys of these conversations' user messages (text only, never metadata)."""
    events = inbox.events
    rows = connection.execute(
        select(events.c.sender_id, events.c.timestamp, events.c.data).where(
            events.c.sender_id.in_(senders), events.c.type_name == "user"
        )
    )
    keys: list[str] = []
    for sender_id, timestamp, data in rows:
        try:
            text = json.loads(data).get("text")
        except (TypeError, ValueError, AttributeError):
            continue
        if isinstance(text, str) and timestamp is not None:
            keys.append(inbox.message_key(sender_id, timestamp, text))
    return keys


def _chunks(items: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(items), KEY_CHUNK):
        yield items[start : start + KEY_CHUNK]


def delete_decisions(*, session: Session, keys: list[str]) -> int:
    """Trainers' decisions on messages about to be deleted. Only flushes."""
    deleted = 0
    for chunk in _chunks(keys):
        result = session.execute(
            delete(TrainingDecision)
            .where(TrainingDecision.message_key.in_(chunk))
            .execution_options(synchronize_session=False)
        )
        deleted += cast(CursorResult[Any], result).rowcount
    session.flush()
    return deleted


def _discarded(cutoff: datetime) -> list[ColumnElement[bool]]:
    return [
        TrainingEvent.action == DISCARDED_ACTION,
        TrainingEvent.created_at < cutoff,
        TrainingEvent.detail != ERASED_DISCARDED,
    ]


def count_discarded_texts(*, session: Session, cutoff: datetime) -> int:
    stmt = select(func.count()).select_from(TrainingEvent).where(*_discarded(cutoff))
    return session.scalar(stmt) or 0


def blank_discarded_texts(*, session: Session, cutoff: datetime, limit: int) -> int:
    """Blank the text of discarded messages in the trainers' log, a batch at a time."""
    ids = list(
        session.scalars(
            select(TrainingEvent.id)
            .where(*_discarded(cutoff))
            .order_by(TrainingEvent.id)
            .limit(limit)
        )
    )
    if not ids:
        return 0
    result = session.execute(
        update(TrainingEvent)
        .where(TrainingEvent.id.in_(ids))
        .values(detail=ERASED_DISCARDED)
        .execution_options(synchronize_session=False)
    )
    session.flush()
    return cast(CursorResult[Any], result).rowcount
