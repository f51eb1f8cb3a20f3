"""A tracker store for each test: a SQLite file, or (TEST_DATABASE=postgresql) a PostgreSQL
database created for the run and dropped at its end."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.databases import scratch_database
from tests.retention.support import TrackerStore, make_engine_for, rasa_metadata


@pytest.fixture(scope="session")
def tracker_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    # As Rasa's endpoints.yml names it: a plain postgresql:// URL.
    sqlite_file = tmp_path_factory.mktemp("tracker") / "tracker.db"
    with scratch_database("vigilance_tracker", sqlite_file, drivername="postgresql") as url:
        yield url


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
