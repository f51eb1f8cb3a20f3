"""A fresh exchange and queue on the real RabbitMQ for each test, and Rasa's tracker store.

The tracker store is on the same backend as the run (a SQLite file, or a PostgreSQL database
of its own next to the API's), as a cluster would have it.
"""

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from api.core.db import make_engine
from tests.events.support import Rabbit, TrackerTable, new_broker


@pytest.fixture
def rabbit() -> Iterator[Rabbit]:
    broker = new_broker()
    yield broker
    broker.delete()


@pytest.fixture(scope="session")
def tracker_url(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        path: Path = tmp_path_factory.mktemp("tracker") / "tracker.db"
        yield f"sqlite:///{path}"
        return
    name = f"vigilance_tracker_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def tracker_engine(tracker_url: str) -> Iterator[Engine]:
    engine = make_engine(tracker_url)
    yield engine
    engine.dispose()


@pytest.fixture
def tracker(tracker_engine: Engine) -> Iterator[TrackerTable]:
    table = TrackerTable(tracker_engine)
    table.drop()
    table.create()
    yield table
    table.drop()
