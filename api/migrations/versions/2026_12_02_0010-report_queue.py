"""agents' queue: each report keeps its claim's provider and amount billed, and a covering index

Revision ID: 0010_report_queue
Revises: 0009_trainer_inbox
Create Date: 2026-12-02 04:20:00

A paid claim never changes: the report copies who billed it and how much when it is filed, so
the queue ranks the window's reports from one index instead of joining a million claims. The
reports already filed get the copies from their claim here; purged reports (no claim) none.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_report_queue"
down_revision: str | None = "0009_trainer_inbox"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

QUEUE_COLUMNS = [
    "created_at",
    "id",
    "status",
    "anomaly_type",
    "claim_provider_id",
    "policyholder_id",
    "claim_amount_billed",
]
COPY_POSTGRESQL = """
UPDATE report SET claim_provider_id = claim.provider_id, claim_amount_billed = claim.amount_billed
FROM claim WHERE claim.id = report.claim_id
"""
COPY_SQLITE = """
UPDATE report SET
    claim_provider_id = (SELECT provider_id FROM claim WHERE claim.id = report.claim_id),
    claim_amount_billed = (SELECT amount_billed FROM claim WHERE claim.id = report.claim_id)
WHERE claim_id IS NOT NULL
"""


def upgrade() -> None:
    # Plain ADD COLUMN, no foreign key (a copy of the claim's, which has one): SQLite adds it
    # without rebuilding a table that report_event and others reference.
    op.add_column("report", sa.Column("claim_provider_id", sa.Integer(), nullable=True))
    op.add_column(
        "report", sa.Column("claim_amount_billed", sa.Numeric(precision=10, scale=2), nullable=True)
    )
    postgresql = op.get_bind().dialect.name == "postgresql"
    op.execute(COPY_POSTGRESQL if postgresql else COPY_SQLITE)
    op.create_index("ix_report_queue", "report", QUEUE_COLUMNS)


def downgrade() -> None:
    op.drop_index("ix_report_queue", table_name="report")
    op.drop_column("report", "claim_amount_billed")
    op.drop_column("report", "claim_provider_id")
