"""The assistant's conversation events, copied from Rasa's event stream (analytics, inbox)."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Computed, Float, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from api.core.db import Base, UTCDateTime, utcnow

# SQLite gives an INTEGER PRIMARY KEY its rowid (and autoincrement); PostgreSQL a BIGINT.
EventId = BigInteger().with_variant(Integer(), "sqlite")
# A user message's text as the trainers' inbox groups it (case and surrounding spaces aside),
# computed by the database (the same SQL on PostgreSQL and SQLite ≥ 3.38).
TEXT_NORM = "lower(trim(data ->> 'text'))"


class ConversationEvent(Base):
    """One Rasa event, stored once whichever way it came (broker message or tracker backfill).

    The columns are those of Rasa's own `events` table, so the trainers' inbox reads either
    with one query; `data` keeps only what the analytics and the inbox read (never metadata
    beyond the model's id, never a slot's value, never the assistant's text).
    """

    __tablename__ = "conversation_event"
    __table_args__ = (
        # The inbox (newest user events) and the statistics (events of a type over a period):
        # the columns the statistics read follow, so their queries never visit the table.
        Index(
            "ix_conversation_event_type_name_timestamp",
            "type_name",
            "timestamp",
            "action_name",
            "intent_name",
            "confidence",
            "sender_id",
        ),
        # The grouped inbox: identical texts counted from the index alone.
        Index(
            "ix_conversation_event_type_name_text_norm",
            "type_name",
            "text_norm",
            "timestamp",
            "intent_name",
            "confidence",
        ),
        # Retention: a conversation's last event, and deleting a conversation.
        Index("ix_conversation_event_sender_id_timestamp", "sender_id", "timestamp"),
        # Retention: the conversations that have events older than the limit.
        Index("ix_conversation_event_timestamp", "timestamp"),
    )

    id: Mapped[int] = mapped_column(EventId, primary_key=True)
    # sha256 of the conversation and the canonical JSON of the whole event (see records.py).
    event_key: Mapped[str] = mapped_column(String(64), unique=True)
    sender_id: Mapped[str] = mapped_column(String(255))
    type_name: Mapped[str] = mapped_column(String(255))
    # Seconds since the epoch, as Rasa stamps its events.
    timestamp: Mapped[float] = mapped_column(Float)
    intent_name: Mapped[str | None] = mapped_column(String(255))
    # An action's, a slot's or a loop's name (as Rasa's tracker store), a response's for `bot`.
    action_name: Mapped[str | None] = mapped_column(String(255))
    # The intent's confidence of a user message.
    confidence: Mapped[float | None] = mapped_column(Float)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    stored_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Never written: the database computes it (migration 0009_trainer_inbox).
    text_norm: Mapped[str | None] = mapped_column(Text, Computed(TEXT_NORM))
