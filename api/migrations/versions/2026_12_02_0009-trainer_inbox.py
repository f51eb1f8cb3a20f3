"""trainer inbox: each user message's text as the inbox groups it, and its index

Revision ID: 0009_trainer_inbox
Revises: 0008
Create Date: 2026-12-02 01:55:00

`text_norm` is computed by the database from `data` (nothing writes it): STORED on
PostgreSQL, VIRTUAL on SQLite (the only kind ALTER TABLE can add). The index lets the grouped
inbox count identical texts from the index alone.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from api.events.models import TEXT_NORM

revision: str = "0009_trainer_inbox"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    stored = op.get_bind().dialect.name == "postgresql"
    op.add_column(
        "conversation_event",
        sa.Column("text_norm", sa.Text(), sa.Computed(TEXT_NORM, persisted=stored)),
    )
    op.create_index(
        "ix_conversation_event_type_name_text_norm",
        "conversation_event",
        ["type_name", "text_norm", "timestamp", "intent_name", "confidence"],
    )


def downgrade() -> None:
    op.drop_index("ix_conversation_event_type_name_text_norm", table_name="conversation_event")
    with op.batch_alter_table("conversation_event") as batch:
        batch.drop_column("text_norm")
