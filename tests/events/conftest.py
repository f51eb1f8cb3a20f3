"""A fresh exchange and queue on the real RabbitMQ for each test, and Rasa's tracker store.

The tracker store is on the same backend as the run (a SQLite file, or a PostgreSQL database
of its own next to the API's), as a cluster would have it.
"""

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from api.core.db import make_engine
from tests.databases import scratch_database
from tests.events.support import Rabbit, TrackerTable, new_broker


@pytest.fixture
def rabbit() -> Iterator[Rabbit]:
    broker = new_broker()
    yield broker
    broker.delete()


@pytest.fixture(scope="session")
def tracker_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    sqlite_file = tmp_path_factory.mktemp("tracker") / "tracker.db"
    with scratch_database("vigilance_tracker", sqlite_file) as url:
        yield url


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
