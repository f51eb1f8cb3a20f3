"""Throwaway databases on the run's backend: a SQLite file, or (TEST_DATABASE=postgresql) a
database of its own on the server named by TEST_POSTGRES_URL, dropped however the test ends."""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def backend() -> str:
    chosen = os.environ.get("TEST_DATABASE", "sqlite")
    if chosen not in {"sqlite", "postgresql"}:
        raise pytest.UsageError("TEST_DATABASE must be sqlite or postgresql")
    return chosen


@contextmanager
def scratch_database(
    prefix: str, sqlite_file: Path, *, drivername: str | None = None
) -> Iterator[str]:
    """The URL of an empty database named `prefix_<random>` (or `sqlite_file`). `drivername`
    names the PostgreSQL driver in the URL (Rasa's endpoints.yml wants a plain `postgresql`)."""
    if backend() == "sqlite":
        yield f"sqlite:///{sqlite_file}"
        return
    server = make_url(os.environ.get("TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL))
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = server.set(database=name, drivername=drivername or server.drivername)
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
