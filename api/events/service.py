"""Storing conversation events exactly once, and removing whole conversations (retention)."""

from collections.abc import Iterable, Sequence

from sqlalchemy import delete, exists, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, aliased

from api.core.db import utcnow
from api.events.models import ConversationEvent
from api.events.records import EventRecord

# Conversations per DELETE statement.
DELETE_CHUNK = 500


def store_events(*, session: Session, records: Iterable[EventRecord]) -> int:
    """INSERT … ON CONFLICT (event_key) DO NOTHING; returns how many rows were new.

    Rows go in key order, so two transactions inserting overlapping events (a redelivery to
    another consumer, a backfill running meanwhile) take the unique index's locks in the same
    order and cannot deadlock on PostgreSQL.
    """
    unique = {record.event_key: record for record in records}
    if not unique:
        return 0
    now = utcnow()
    ordered = [{**unique[key].values(), "stored_at": now} for key in sorted(unique)]
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(ConversationEvent)
        .on_conflict_do_nothing(index_elements=[ConversationEvent.event_key])
        .returning(ConversationEvent.id)
    )
    # A Core executemany: one cached statement sent as multi-row INSERTs ("insertmanyvalues");
    # the ORM's bulk path would send one statement per row here.
    stored = len(session.connection().execute(statement, ordered).all())
    session.flush()
    return stored


def stale_conversations(*, session: Session, before: float, limit: int) -> list[str]:
    """Conversations whose last event is older than `before` (seconds), at most `limit`.

    Candidates come from the timestamp index (events older than the limit); a conversation
    is kept out if it has any later event (a lookup in the sender/timestamp index).
    """
    newer = aliased(ConversationEvent)
    same = newer.sender_id == ConversationEvent.sender_id
    later = exists().where(same, newer.timestamp >= before)
    statement = (
        select(ConversationEvent.sender_id)
        .where(ConversationEvent.timestamp < before, ~later)
        .distinct()
        .order_by(ConversationEvent.sender_id)
        .limit(limit)
    )
    return list(session.scalars(statement))


def delete_conversations(*, session: Session, sender_ids: Sequence[str]) -> int:
    """Every event of these conversations; returns the number of rows deleted."""
    deleted = 0
    for start in range(0, len(sender_ids), DELETE_CHUNK):
        chunk = sender_ids[start : start + DELETE_CHUNK]
        result = session.execute(
            delete(ConversationEvent).where(ConversationEvent.sender_id.in_(chunk)),
            execution_options={"synchronize_session": False},
        )
        deleted += result.rowcount  # type: ignore[attr-defined]
    session.flush()
    return deleted
