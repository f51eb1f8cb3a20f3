"""Deleting conversations whose last event is older than the period, whole, per sender.

Two stores hold conversations' events: Rasa's SQL tracker store (`TRACKER_STORE_URL`, table
`events`) and the API database's copy of the event stream, `conversation_event` (api/events/).
Each is purged on its own, by the same rule, a batch of whole conversations per transaction;
the DELETE checks again that no newer event arrived, so a conversation the person resumed
meanwhile is left whole.

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
from typing import Any, cast

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    CursorResult,
    Float,
    MetaData,
    String,
    Table,
    delete,
    exists,
    func,
    select,
    update,
)
from sqlalchemy.orm import Session

from api.core.tracker_store import events as tracker_events
from api.events.models import ConversationEvent
from api.training.inbox import message_key
from api.training.models import TrainingDecision, TrainingEvent

DISCARDED_ACTION = "message_discarded"
ERASED_DISCARDED = "Message écarté (texte effacé\u00a0: durée de conservation écoulée)."
KEY_CHUNK = 500


@dataclass(frozen=True)
class ConversationStore:
    """A table of conversation events: who (sender) and when (epoch seconds or a datetime)."""

    name: str
    table: Table

    @property
    def sender(self) -> ColumnElement[str]:
        return cast(ColumnElement[str], self.table.c.sender_id)

    @property
    def at(self) -> ColumnElement[Any]:
        return cast(ColumnElement[Any], self.table.c.timestamp)

    @staticmethod
    def bound(cutoff: datetime) -> float:
        return cutoff.timestamp()


def _purgeable(name: str, table: str) -> ConversationStore:
    """What the purge reads of a table of events: the sender and the time (epoch seconds)."""
    columns = Table(table, MetaData(), Column("sender_id", String(255)), Column("timestamp", Float))
    return ConversationStore(name, columns)


def tracker_store() -> ConversationStore:
    return _purgeable("tracker_store", tracker_events.name)


def api_copy() -> ConversationStore:
    """The event consumer's copy (`conversation_event`), timed like Rasa's events."""
    return _purgeable("api_copy", ConversationEvent.__tablename__)


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
    resumed = exists().where(
        newer.c.sender_id == store.sender, newer.c.timestamp >= store.bound(cutoff)
    )
    stmt = delete(store.table).where(store.sender.in_(senders), ~resumed).returning(store.sender)
    gone = list(connection.scalars(stmt))
    return len(set(gone)), len(gone)


def message_keys(*, connection: Connection, senders: list[str]) -> list[str]:
    """The inbox keys of these conversations' user messages (text only, never metadata)."""
    events = tracker_events
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
            keys.append(message_key(sender_id, timestamp, text))
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
