"""A tracker store for each test: a SQLite file, or (TEST_DATABASE=postgresql) a PostgreSQL
database created for the run and dropped at its end."""

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import DEFAULT_POSTGRES_URL
from tests.retention.support import TrackerStore, make_engine_for, rasa_metadata


@pytest.fixture(scope="session")
def tracker_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if os.environ.get("TEST_DATABASE", "sqlite") != "postgresql":
        yield f"sqlite:///{tmp_path_factory.mktemp('tracker') / 'tracker.db'}"
        return
    server = make_url(os.environ.get("TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL))
    name = f"vigilance_tracker_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        # As Rasa's endpoints.yml names it: a plain postgresql:// URL.
        plain = server.set(drivername="postgresql", database=name)
        yield plain.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def tracker(tracker_url: str) -> Iterator[TrackerStore]:
    engine = make_engine_for(tracker_url)
    rasa_metadata.create_all(engine)
    store = TrackerStore(tracker_url, engine)
    yield store
    store.empty()
    engine.dispose()


@pytest.fixture
def missing_tracker(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'never-created' / 'tracker.db'}"
