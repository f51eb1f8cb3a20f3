"""conversation events

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import api.core.db

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "conversation_event",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column("event_key", sa.String(length=64), nullable=False),
        sa.Column("sender_id", sa.String(length=255), nullable=False),
        sa.Column("type_name", sa.String(length=255), nullable=False),
        sa.Column("timestamp", sa.Float(), nullable=False),
        sa.Column("intent_name", sa.String(length=255), nullable=True),
        sa.Column("action_name", sa.String(length=255), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("stored_at", api.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation_event")),
        sa.UniqueConstraint("event_key", name=op.f("uq_conversation_event_event_key")),
    )
    with op.batch_alter_table("conversation_event", schema=None) as batch_op:
        batch_op.create_index(
            "ix_conversation_event_type_name_timestamp",
            ["type_name", "timestamp", "action_name", "intent_name", "confidence", "sender_id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_conversation_event_sender_id_timestamp", ["sender_id", "timestamp"], unique=False
        )
        batch_op.create_index("ix_conversation_event_timestamp", ["timestamp"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("conversation_event", schema=None) as batch_op:
        batch_op.drop_index("ix_conversation_event_timestamp")
        batch_op.drop_index("ix_conversation_event_sender_id_timestamp")
        batch_op.drop_index("ix_conversation_event_type_name_timestamp")
    op.drop_table("conversation_event")
