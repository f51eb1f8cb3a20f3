"""The sign-in throttle's two backends, the same tests for both; a clock tests can move."""

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
import redis
from fastapi import FastAPI

from api.accounts.throttle import DatabaseThrottle, Rule, Rules, Throttle
from api.accounts.throttle_redis import RedisThrottle
from api.core.config import Settings
from api.core.db import begin_write
from api.main import create_app

REDIS_URL = "redis://127.0.0.1:6379/0"
RULES = Rules(
    account=Rule(threshold=5, window_s=900, first_lock_s=30, max_lock_s=900),
    address=Rule(threshold=30, window_s=900, first_lock_s=30, max_lock_s=900),
)


@dataclass
class Clock:
    now: float

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A key prefix of this test's own; its keys are deleted afterwards."""
    prefix = f"vigilance-test-{uuid.uuid4().hex[:12]}:"
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match=prefix + "*"))
    if keys:
        client.delete(*keys)
    client.close()


class Store:
    """One backend; `request()` gives its throttle as a request would have it: for the
    database, in a writing transaction of its own, committed at the end."""

    def __init__(self, backend: str, app: FastAPI, redis_prefix: str, rules: Rules) -> None:
        self.backend = backend
        self.app = app
        self.prefix = redis_prefix
        self.rules = rules

    @contextmanager
    def request(self) -> Iterator[Throttle]:
        if self.backend == "redis":
            client = redis.Redis.from_url(REDIS_URL)
            try:
                yield RedisThrottle(client, self.rules, prefix=self.prefix)
            finally:
                client.close()
            return
        with self.app.state.sessionmaker() as session:
            begin_write(session)
            try:
                yield DatabaseThrottle(session, self.rules)
                session.commit()
            except BaseException:
                session.rollback()
                raise


@pytest.fixture(params=["database", "redis"])
def store(request: pytest.FixtureRequest, app: FastAPI, redis_prefix: str) -> Store:
    return Store(str(request.param), app, redis_prefix, RULES)


@pytest.fixture
def clock(app: FastAPI) -> Iterator[Clock]:
    """The throttle's clock, moved by the test (tokens and sessions keep the real time)."""
    fake = Clock(float(int(time.time())))  # whole seconds: waits of Retry-After end locks exactly
    app.state.throttle_clock = fake
    yield fake
    del app.state.throttle_clock


@pytest.fixture
def redis_apps(settings: Settings, redis_prefix: str) -> Iterator[list[FastAPI]]:
    """Two instances of the API sharing the throttle through Redis (and the database)."""
    changed = settings.model_copy(update={"redis_url": REDIS_URL, "redis_key_prefix": redis_prefix})
    apps = [create_app(changed), create_app(changed)]
    yield apps
    for instance in apps:
        instance.state.engine.dispose()
