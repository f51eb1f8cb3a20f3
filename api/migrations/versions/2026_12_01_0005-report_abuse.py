"""report abuse: one open report per person and claim, complements, who attached a transcript

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 09:00:00.000000
"""

from collections.abc import Sequence
from itertools import groupby
from typing import Any

import sqlalchemy as sa
from alembic import op

import api.core.db

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = ("received", "in_review", "investigating")
OPEN_REPORT = sa.text("status IN ('received', 'in_review', 'investigating')")
OLD_KINDS = ("created", "status_changed", "note", "assigned")
NEW_KINDS = (*OLD_KINDS, "complement")
# The report kept open is the one furthest along in its handling, then the oldest.
PROGRESS = {"investigating": 0, "in_review": 1, "received": 2}

report = sa.table(
    "report",
    sa.column("id", sa.Integer()),
    sa.column("policyholder_id", sa.Integer()),
    sa.column("claim_id", sa.Integer()),
    sa.column("status", sa.String()),
    sa.column("duplicate_of_id", sa.Integer()),
    sa.column("created_at", api.core.db.UTCDateTime()),
    sa.column("updated_at", api.core.db.UTCDateTime()),
)
report_event = sa.table(
    "report_event",
    sa.column("report_id", sa.Integer()),
    sa.column("kind", sa.String()),
    sa.column("from_status", sa.String()),
    sa.column("to_status", sa.String()),
    sa.column("note", sa.Text()),
    sa.column("created_at", api.core.db.UTCDateTime()),
)


def _kind_check(kinds: tuple[str, ...]) -> sa.TextClause:
    return sa.text("kind IN ({})".format(", ".join(f"'{kind}'" for kind in kinds)))


def _close_repeated_open_reports() -> None:
    """Reports filed again on a claim that already had an open report become duplicates of
    it, with a line in their history, so that the unique index can be built."""
    connection = op.get_bind()
    repeated = (
        sa.select(report.c.policyholder_id, report.c.claim_id)
        .where(report.c.status.in_(OPEN), report.c.claim_id.is_not(None))
        .group_by(report.c.policyholder_id, report.c.claim_id)
        .having(sa.func.count() > 1)
        .subquery()
    )
    rows = connection.execute(
        sa.select(report)
        .join(
            repeated,
            sa.and_(
                report.c.policyholder_id == repeated.c.policyholder_id,
                report.c.claim_id == repeated.c.claim_id,
            ),
        )
        .where(report.c.status.in_(OPEN))
        .order_by(report.c.policyholder_id, report.c.claim_id)
    ).all()
    linked_to = {
        row.duplicate_of_id
        for row in connection.execute(
            sa.select(report.c.duplicate_of_id).where(report.c.duplicate_of_id.is_not(None))
        )
    }
    now = api.core.db.utcnow()
    for _key, group in groupby(rows, key=lambda row: (row.policyholder_id, row.claim_id)):
        kept, *others = sorted(group, key=lambda r: (PROGRESS[r.status], r.created_at, r.id))
        root = kept.duplicate_of_id or kept.id
        reference = f"SIG-{kept.created_at.year}-{kept.id:06d}"
        for other in others:
            _close(connection, other, root, reference, linked_to, now)


def _close(
    connection: sa.Connection,
    other: Any,
    root: int,
    reference: str,
    linked_to: set[int],
    now: Any,
) -> None:
    values: dict[str, Any] = {"status": "duplicate", "updated_at": now}
    # Links stay one level deep: a report others already point to keeps its own place.
    if other.duplicate_of_id is None and other.id not in linked_to and other.id != root:
        values["duplicate_of_id"] = root
    connection.execute(report.update().where(report.c.id == other.id).values(**values))
    note = (
        f"Clos automatiquement : le signalement {reference} de la même personne sur le même "
        "remboursement est toujours ouvert (un seul signalement ouvert par remboursement)."
    )
    # As an agent's decision is written: the status change, then the reason as a note.
    connection.execute(
        report_event.insert(),
        [
            {
                "report_id": other.id,
                "kind": "status_changed",
                "from_status": other.status,
                "to_status": "duplicate",
                "note": None,
                "created_at": now,
            },
            {
                "report_id": other.id,
                "kind": "note",
                "from_status": None,
                "to_status": None,
                "note": note,
                "created_at": now,
            },
        ],
    )


def upgrade() -> None:
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.add_column(sa.Column("via_assistant", sa.Boolean(), nullable=True))
    _close_repeated_open_reports()
    op.create_index(
        "uq_report_open_claim",
        "report",
        ["policyholder_id", "claim_id"],
        unique=True,
        sqlite_where=OPEN_REPORT,
        postgresql_where=OPEN_REPORT,
    )
    with op.batch_alter_table("report_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("idempotency_key", sa.String(length=200), nullable=True))
        batch_op.create_unique_constraint(
            "uq_report_event_idempotency", ["report_id", "idempotency_key"]
        )
        batch_op.drop_constraint(op.f("ck_report_event_event_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_report_event_event_kind"), _kind_check(NEW_KINDS))


def downgrade() -> None:
    # Complements become notes (their text is kept); closed duplicates stay closed.
    op.execute(report_event.update().where(report_event.c.kind == "complement").values(kind="note"))
    with op.batch_alter_table("report_event", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_report_event_event_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_report_event_event_kind"), _kind_check(OLD_KINDS))
        batch_op.drop_constraint("uq_report_event_idempotency", type_="unique")
        batch_op.drop_column("idempotency_key")
    op.drop_index("uq_report_open_claim", table_name="report")
    # A plain ALTER (SQLite 3.35+): rebuilding `report` would break its events' foreign keys.
    op.drop_column("report", "via_assistant")
