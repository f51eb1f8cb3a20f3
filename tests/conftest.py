"""Fixtures shared by every test: a real database migrated by Alembic, an app, factories.

The backend comes from TEST_DATABASE: `sqlite` (default, a file per run) or `postgresql`
(a fresh database on the server named by TEST_POSTGRES_URL, dropped at the end).
"""

import threading
import time
from collections.abc import Iterator
from typing import TypedDict

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from playwright.sync_api import Browser
from sqlalchemy import text
from sqlalchemy.orm import Session

from api.core.config import Settings
from api.core.migrate import upgrade
from api.main import create_app
from api.models import metadata
from tests.browser import launched_chromium
from tests.databases import scratch_database
from tests.factories import Factory

TEST_SECRET = "test-secret-key-0123456789-abcdefghijklmnop"
TEST_CHANNEL_KEY = "test-channel-key-0123456789-abcdefghijklmnop"
TEST_SERVICE_KEY = "test-service-key-0123456789-abcdefghijklmnop"
# What a process of the API environment started by a test needs outside demo mode.
TEST_KEYS_ENV = {
    "SECRET_KEY": TEST_SECRET,
    "ASSISTANT_CHANNEL_KEY": TEST_CHANNEL_KEY,
    "ASSISTANT_SERVICE_KEY": TEST_SERVICE_KEY,
}


class Keys(TypedDict):
    """The keys as Settings' arguments: `Settings(**TEST_KEYS)` is checked field by field."""

    secret_key: str
    assistant_channel_key: str
    assistant_service_key: str


TEST_KEYS: Keys = {
    "secret_key": TEST_SECRET,
    "assistant_channel_key": TEST_CHANNEL_KEY,
    "assistant_service_key": TEST_SERVICE_KEY,
}


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with scratch_database("vigilance_test", tmp_path_factory.mktemp("db") / "test.db") as url:
        yield url


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    upgrade(database_url)
    return Settings(
        database_url=database_url,
        secret_key=TEST_SECRET,
        assistant_channel_key=TEST_CHANNEL_KEY,
        assistant_service_key=TEST_SERVICE_KEY,
        redis_url=None,
        demo=False,
    )


@pytest.fixture(scope="session")
def app(settings: Settings) -> Iterator[FastAPI]:
    application = create_app(settings)
    yield application
    application.state.engine.dispose()


@pytest.fixture(autouse=True)
def _empty_tables(request: pytest.FixtureRequest) -> Iterator[None]:
    """Each test starts from empty tables (the schema stays, built once by Alembic)."""
    yield
    if "app" not in request.fixturenames:
        return
    engine = request.getfixturevalue("app").state.engine
    tables = [t.name for t in reversed(metadata.sorted_tables)]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(text(f"DELETE FROM {table}"))  # noqa: S608 - our table names


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def db(app: FastAPI) -> Iterator[Session]:
    """A session for arranging data and checking what the API stored; commits as it goes."""
    with app.state.sessionmaker() as session:
        yield session


@pytest.fixture
def factory(db: Session, settings: Settings) -> Factory:
    return Factory(db, settings)


@pytest.fixture(scope="session")
def live_server(app: FastAPI) -> Iterator[str]:
    """The app served by a real uvicorn on a free loopback port, for concurrent clients."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def app_demo_client(settings: Settings, db: Session) -> Iterator[TestClient]:
    """The app in demo mode over the demo seed (same database as the other tests)."""
    from api.core.clock import local_today
    from api.demo.seed import seed_demo

    seed_demo(db, today=local_today(settings.timezone))
    db.commit()
    demo_app = create_app(settings.model_copy(update={"demo": True}))
    with TestClient(demo_app) as test_client:
        yield test_client
    demo_app.state.engine.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One Chromium for every browser test of the run: Playwright's sync API allows only one
    driver at a time in a thread."""
    with launched_chromium() as chromium:
        yield chromium
