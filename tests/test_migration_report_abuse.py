"""Migrations on a database that already holds reports. 0005, with the same claim reported
again and again: the report furthest along stays open, the others become its duplicates, with a
line in their history, so the unique index can be built; and the way back keeps the complements
as notes. 0010: every report on a claim gets the claim's provider and amount billed."""

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import bindparam, func, insert, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from api.core.db import UTCDateTime, make_engine
from api.core.migrate import alembic_config
from api.models import metadata
from tests.databases import scratch_database

REVISION = "0005"
REPORT = metadata.tables["report"]
EVENT = metadata.tables["report_event"]


@pytest.fixture
def scratch_url(tmp_path: Path) -> Iterator[str]:
    """An empty database of the run's backend, for this test alone."""
    with scratch_database("vigilance_migration", tmp_path / "migration.db") as url:
        yield url


def at(day: int, hour: int) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=UTC)


def report(connection: Connection, claim_id: int | None, status: str, created: datetime) -> int:
    values: dict[str, object] = {
        "policyholder_id": 1,
        "claim_id": claim_id,
        "care_date": date(2026, 3, 1),
        "provider_name": "Dr Dupont",
        "provider_search": "dr dupont",
        "description": "Jamais vu ce dentiste.",
        "anomaly_type": "not_performed",
        "status": status,
        "channel": "assistant",
        "transcript": [],
        "created_at": created,
        "updated_at": created,
    }
    key = connection.execute(insert(REPORT).values(values)).inserted_primary_key
    assert key is not None
    return int(key[0])


def seed(connection: Connection) -> dict[str, int]:
    """Raw rows, as the schema stood before this revision (the models may have moved on)."""
    now = bindparam("now", at(1, 8), type_=UTCDateTime())
    connection.execute(
        text(
            "INSERT INTO policyholder (id, nir, first_name, last_name, email, username, "
            "notify_payments, is_demo, created_at) VALUES (1, '1000000000001', 'Claire', "
            "'Durand', 'c@example.fr', 'claire', true, false, :now)"
        ).bindparams(now)
    )
    connection.execute(
        text(
            "INSERT INTO provider (id, identifier, name, search_name, kind, city) "
            "VALUES (1, '10000000001', 'Dr Dupont', 'dr dupont', 'dentist', 'Lyon')"
        )
    )
    for claim_id in (1, 2):
        connection.execute(
            text(
                "INSERT INTO claim (id, policyholder_id, provider_id, care_date, act_code, "
                "act_label, quantity, amount_billed, reimbursement_base, reimbursement_rate, "
                "amount_reimbursed, paid_date, third_party_payment, created_at) VALUES (:id, 1, "
                "1, '2026-03-01', 'HBLD036', 'Détartrage', 1, 28.92, 28.92, 70, 20.24, "
                "'2026-03-04', false, :now)"
            ).bindparams(now),
            {"id": claim_id},
        )
    return {
        "oldest": report(connection, 1, "received", at(2, 9)),
        "in_review": report(connection, 1, "in_review", at(3, 9)),
        "newest": report(connection, 1, "received", at(4, 9)),
        "closed": report(connection, 1, "unfounded", at(1, 9)),
        "other_claim": report(connection, 2, "received", at(2, 9)),
        "no_claim": report(connection, None, "received", at(2, 9)),
    }


def test_repeated_open_reports_are_closed_before_the_index_is_built(scratch_url: str) -> None:
    config = alembic_config(scratch_url)
    before = ScriptDirectory.from_config(config).get_revision(REVISION).down_revision
    assert isinstance(before, str)
    command.upgrade(config, before)
    engine = make_engine(scratch_url)
    with engine.begin() as connection:
        ids = seed(connection)
    command.upgrade(config, REVISION)

    with engine.connect() as connection:
        columns = [REPORT.c[name] for name in ("id", "status", "duplicate_of_id", "via_assistant")]
        rows = {r.id: r for r in connection.execute(select(*columns))}  # those of 0005
        events = connection.execute(select(EVENT).order_by(EVENT.c.id)).all()
    statuses = {name: rows[report_id].status for name, report_id in ids.items()}
    assert statuses == {
        "oldest": "duplicate",
        "in_review": "in_review",  # furthest along in its handling: kept open
        "newest": "duplicate",
        "closed": "unfounded",
        "other_claim": "received",
        "no_claim": "received",
    }
    kept = ids["in_review"]
    assert rows[ids["oldest"]].duplicate_of_id == rows[ids["newest"]].duplicate_of_id == kept
    assert {r.via_assistant for r in rows.values()} == {None}  # who attached it is unknown
    reference = f"SIG-2026-{kept:06d}"
    for name in ("oldest", "newest"):
        lines = [(e.kind, e.from_status, e.to_status) for e in events if e.report_id == ids[name]]
        assert lines == [("status_changed", "received", "duplicate"), ("note", None, None)]
        (note,) = [e.note for e in events if e.report_id == ids[name] and e.kind == "note"]
        assert reference in note and "Clos automatiquement" in note

    # The index now refuses a second open report on the claim, and a complement is accepted.
    with pytest.raises(IntegrityError), engine.begin() as connection:
        report(connection, 1, "received", at(5, 9))
    with engine.begin() as connection:
        connection.execute(
            insert(EVENT).values(
                report_id=kept, kind="complement", note="La facture.", created_at=at(5, 9)
            )
        )

    # Back to the revision before: the complement is kept as a note; and forward again.
    command.downgrade(config, before)
    with engine.connect() as connection:
        kinds = connection.execute(
            text("SELECT kind FROM report_event WHERE note = 'La facture.'")
        ).scalars()
        assert list(kinds) == ["note"]
    command.upgrade(config, REVISION)
    engine.dispose()


def test_reports_filed_before_0010_get_their_claims_figures(scratch_url: str) -> None:
    config = alembic_config(scratch_url)
    command.upgrade(config, "0004")
    engine = make_engine(scratch_url)
    with engine.begin() as connection:
        ids = seed(connection)
    command.upgrade(config, "0010_report_queue")

    with engine.connect() as connection:
        columns = [REPORT.c.id, REPORT.c.claim_provider_id, REPORT.c.claim_amount_billed]
        figures = {r.id: (r.claim_provider_id, r.claim_amount_billed) for r in
                   connection.execute(select(*columns))}  # fmt: skip
    assert figures.pop(ids["no_claim"]) == (None, None)
    assert set(figures.values()) == {(1, Decimal("28.92"))}
    command.downgrade(config, "0009_trainer_inbox")  # and back, the data kept
    with engine.connect() as connection:
        assert connection.scalar(select(func.count(REPORT.c.id))) == 6
