"""The tracker stores the long-conversation bench runs on (bot environment, SQLAlchemy 1.4):
Rasa's URL, and a read-only one to count a conversation's events."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa  # type: ignore[import-untyped, unused-ignore]

PG_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_DATABASE = "vigilance_bench_long"
EVENT_COUNTS = sa.text(
    "SELECT COUNT(*), SUM(CASE WHEN id > COALESCE((SELECT MAX(id) FROM events"
    " WHERE sender_id = :sender AND type_name = 'session_started'), 0) THEN 1 ELSE 0 END)"
    " FROM events WHERE sender_id = :sender"
)


def _pg_admin(statement: str) -> None:
    server = sa.create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(sa.text(statement))
    server.dispose()


@contextmanager
def tracker_store(store: str, workdir: Path) -> Iterator[tuple[str, str]]:
    """Rasa's TRACKER_STORE_URL and a read-only URL to count its events; a PostgreSQL
    database is created fresh and dropped afterwards (bench/toolkit/databases.py does the same
    in the API environment, whose SQLAlchemy 2 this one has not)."""
    if store == "sqlite":
        path = workdir / "tracker.db"
        yield f"sqlite:///{path}", f"sqlite:///file:{path}?mode=ro&uri=true"
        return
    _pg_admin(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')
    _pg_admin(f'CREATE DATABASE "{PG_DATABASE}"')
    try:
        url = f"postgresql://postgres@127.0.0.1:5432/{PG_DATABASE}"
        yield url, f"{url}?options=-cdefault_transaction_read_only%3Don"
    finally:
        _pg_admin(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')


class EventCounter:
    """The conversation's events in the tracker store: in all, and since its last session start."""

    def __init__(self, url: str) -> None:
        self.engine = sa.create_engine(url)

    def count(self, sender: str) -> tuple[int, int]:
        with self.engine.connect() as connection:
            total, in_session = connection.execute(EVENT_COUNTS, {"sender": sender}).one()
        return int(total or 0), int(in_session or 0)

    def close(self) -> None:
        self.engine.dispose()
