"""The atomic Redis lock store against the real Redis: exclusion, order, leases, failures.

Several OS processes (forked) play Rasa replicas; each test has its own key prefix and leaves
no key behind. What happens inside a critical section is recorded in Redis itself.
"""

from __future__ import annotations

import asyncio
import itertools
import multiprocessing
import os
import random
import signal
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from bot.lock_settings import LockSettings, LockStoreConfigError
from bot.lock_store import AtomicRedisLockStore
from rasa.core.lock_store import LockError, LockStore
from rasa.core.utils import AvailableEndpoints, number_of_sanic_workers
from rasa.utils.endpoints import EndpointConfig, read_endpoint_config
from redis.asyncio import Redis as AsyncRedis

from tests.bot.net import closed_port_url, silent_server

HOST, DB = "127.0.0.1", 1
FORK = multiprocessing.get_context("fork")
CLASS_PATH = "bot.lock_store.AtomicRedisLockStore"


@pytest.fixture
def prefix() -> Iterator[str]:
    name = f"t{uuid.uuid4().hex[:16]}"
    yield name
    red = redis.Redis(host=HOST, db=DB)
    keys = list(red.scan_iter(f"{name}:*"))
    if keys:
        red.delete(*keys)


@pytest.fixture
def children() -> Iterator[list[Any]]:
    """Processes a test starts; any still alive afterwards (a failed test) is killed."""
    started: list[Any] = []
    yield started
    for process in started:
        if process.is_alive():
            process.kill()
        process.join(timeout=5)


def start(children: list[Any], target: Any, *args: Any) -> Any:
    process = FORK.Process(target=target, args=args, daemon=True)
    children.append(process)
    process.start()
    return process


def store(prefix: str, **settings: Any) -> AtomicRedisLockStore:
    return AtomicRedisLockStore(host=HOST, db=DB, key_prefix=prefix, **settings)


def lock_keys(prefix: str) -> list[bytes]:
    return list(redis.Redis(host=HOST, db=DB).scan_iter(f"{prefix}:lock:*"))


def queue_length(lock_store: AtomicRedisLockStore, cid: str) -> int:
    lock = lock_store.get_lock(cid)
    return 0 if lock is None else len(lock.tickets)


def redis_ms(red: redis.Redis[bytes]) -> int:
    seconds, micros = red.time()
    return int(seconds) * 1000 + int(micros) // 1000


def wait_for(condition: Any, seconds: float = 10) -> None:
    end = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.01)


# Several replicas at once.


def _hammer(prefix: str, barrier: Any, conversations: list[str], users: int, turns: int) -> None:
    async def user(
        lock_store: AtomicRedisLockStore, rec: AsyncRedis[bytes], cid: str, n: int
    ) -> None:
        for k in range(turns):
            await asyncio.sleep(random.random() * 0.003)
            async with lock_store.lock(cid) as held:
                if await rec.incr(f"{prefix}:rec:{cid}:inside") != 1:
                    await rec.incr(f"{prefix}:rec:violations")
                ticket = held.tickets[0].number
                await rec.rpush(f"{prefix}:rec:{cid}:order", f"{ticket}:{os.getpid()}:{n}:{k}")
                await asyncio.sleep(random.random() * 0.002)
                await rec.decr(f"{prefix}:rec:{cid}:inside")

    async def main() -> None:
        lock_store = store(prefix, lock_lifetime=5)
        rec = AsyncRedis(host=HOST, db=DB)
        await asyncio.gather(
            *(user(lock_store, rec, cid, n) for cid in conversations for n in range(users))
        )

    barrier.wait()
    asyncio.run(main())


def test_processes_hammering_the_same_conversations_take_turns_in_ticket_order(
    prefix: str, children: list[Any]
) -> None:
    processes, users, turns = 5, 8, 5
    conversations = ["assure-1-a", "assure-1-b", "assure-2-a"]
    barrier = FORK.Barrier(processes)
    started = time.monotonic()
    workers = [
        start(children, _hammer, prefix, barrier, conversations, users, turns)
        for _ in range(processes)
    ]
    for worker in workers:
        worker.join(timeout=30 - (time.monotonic() - started))
    assert [worker.exitcode for worker in workers] == [0] * processes
    assert time.monotonic() - started < 30

    red = redis.Redis(host=HOST, db=DB)
    assert red.get(f"{prefix}:rec:violations") is None
    for cid in conversations:
        order = red.lrange(f"{prefix}:rec:{cid}:order", 0, -1)
        served = [entry.decode().split(":") for entry in order]
        tickets = [int(entry[0]) for entry in served]
        assert len(served) == processes * users * turns  # every turn was served
        assert tickets == sorted(set(tickets))  # one at a time, in ticket order
        pids = {entry[1] for entry in served}
        assert len(pids) == processes
        # Each user's own turns came in the order it sent them.
        for pid in pids:
            for n in range(users):
                mine = [int(e[3]) for e in served if e[1] == pid and int(e[2]) == n]
                assert mine == list(range(turns))
    assert lock_keys(prefix) == []  # nothing left behind


# A replica that dies mid-turn.


def _hold_forever(prefix: str, cid: str, lifetime: float) -> None:
    async def main() -> None:
        async with store(prefix, lock_lifetime=lifetime).lock(cid):
            redis.Redis(host=HOST, db=DB).set(f"{prefix}:rec:entered", 1)
            await asyncio.sleep(3600)

    asyncio.run(main())


def _record_turn(prefix: str, cid: str, lifetime: float) -> None:
    async def main() -> None:
        async with store(prefix, lock_lifetime=lifetime).lock(cid):
            red = redis.Redis(host=HOST, db=DB)
            red.set(f"{prefix}:rec:acquired", redis_ms(red))

    asyncio.run(main())


def test_a_killed_holder_blocks_its_conversation_until_its_lease_ends_not_longer(
    prefix: str, children: list[Any]
) -> None:
    lifetime, cid = 1.0, "assure-7-x"
    red, inspector = redis.Redis(host=HOST, db=DB), store(prefix)
    holder = start(children, _hold_forever, prefix, cid, lifetime)
    wait_for(lambda: red.exists(f"{prefix}:rec:entered"))
    waiter = start(children, _record_turn, prefix, cid, lifetime)
    wait_for(lambda: queue_length(inspector, cid) == 2)

    # Alive, the holder keeps renewing, and the waiter's own ticket outlives the lifetime too.
    time.sleep(1.6 * lifetime)
    assert queue_length(inspector, cid) == 2
    assert red.get(f"{prefix}:rec:acquired") is None

    killed_at = redis_ms(red)
    os.kill(holder.pid, signal.SIGKILL)
    holder.join()
    time.sleep(0.05)
    lock = inspector.get_lock(cid)
    assert lock is not None
    lease_end = lock.tickets[0].expires * 1000
    waiter.join(timeout=10)
    assert waiter.exitcode == 0
    acquired = int(red.get(f"{prefix}:rec:acquired") or 0)
    assert lease_end <= acquired <= lease_end + 250
    assert acquired - killed_at <= lifetime * 1000 + 250
    assert lock_keys(prefix) == []


# Long turns, waits and cancellations (two stores: two replicas of one process).


@pytest.mark.anyio
async def test_a_live_slow_turn_keeps_the_lock_beyond_the_lifetime(prefix: str) -> None:
    first, second = store(prefix, lock_lifetime=0.6), store(prefix, lock_lifetime=0.6)
    seen: dict[str, float] = {}

    async def holder() -> None:
        async with first.lock("c"):
            await asyncio.sleep(2.0)  # more than three lifetimes
            seen["holder out"] = time.monotonic()

    async def waiter() -> None:
        await asyncio.sleep(0.1)
        async with second.lock("c"):
            seen["waiter in"] = time.monotonic()

    await asyncio.gather(holder(), waiter())
    handoff = seen["waiter in"] - seen["holder out"]
    assert 0 <= handoff < 0.1  # woken by the release, not by a poll
    assert lock_keys(prefix) == []


@pytest.mark.anyio
async def test_a_turn_longer_than_max_hold_time_lets_the_next_message_in(
    prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    first = store(prefix, lock_lifetime=0.6, max_hold_time=1.2)
    second = store(prefix, lock_lifetime=0.6)
    seen: dict[str, float] = {}

    async def holder() -> None:
        async with first.lock("c"):
            seen["holder in"] = time.monotonic()
            await asyncio.sleep(3.0)
            seen["holder out"] = time.monotonic()

    async def waiter() -> None:
        await asyncio.sleep(0.1)
        async with second.lock("c"):
            seen["waiter in"] = time.monotonic()

    await asyncio.gather(holder(), waiter())
    assert 1.15 <= seen["waiter in"] - seen["holder in"] <= 1.5
    assert seen["waiter in"] < seen["holder out"]
    assert "exceeds max_hold_time" in caplog.text


@pytest.mark.anyio
async def test_a_waiter_gives_up_after_max_wait_time_and_leaves_the_queue(prefix: str) -> None:
    first, second = store(prefix), store(prefix, max_wait_time=0.5)
    async with first.lock("c"):
        started = time.monotonic()
        with pytest.raises(LockError, match="Waited more than"):
            async with second.lock("c"):
                pytest.fail("entered while the lock was held")
        assert 0.5 <= time.monotonic() - started < 1.0
        assert queue_length(first, "c") == 1
    assert lock_keys(prefix) == []


@pytest.mark.anyio
async def test_a_cancelled_waiter_does_not_hold_up_the_next_one(prefix: str) -> None:
    first, second, third = store(prefix), store(prefix), store(prefix)
    seen: dict[str, float] = {}

    async def enter(lock_store: AtomicRedisLockStore, name: str) -> None:
        async with lock_store.lock("c"):
            seen[name] = time.monotonic()

    async with first.lock("c"):
        cancelled = asyncio.create_task(enter(second, "cancelled"))
        await asyncio.sleep(0.1)
        following = asyncio.create_task(enter(third, "following"))
        await asyncio.sleep(0.1)
        cancelled.cancel()
        await asyncio.sleep(0.1)
        assert queue_length(first, "c") == 2
        released = time.monotonic()
    await following
    assert "cancelled" not in seen
    assert seen["following"] - released < 0.1


@pytest.mark.anyio
async def test_a_message_cancelled_while_taking_its_ticket_gives_the_ticket_back(
    prefix: str,
) -> None:
    first, second = store(prefix), store(prefix)
    async with second.lock("warm-up"):  # so that the next script is sent at once
        pass
    async with first.lock("c"):
        for _ in range(5):
            entering = asyncio.create_task(second.lock("c").__aenter__())
            await asyncio.sleep(0)  # the ticket is being taken
            entering.cancel()
            with pytest.raises(asyncio.CancelledError):
                await entering
        await asyncio.sleep(0.05)
        assert queue_length(first, "c") == 1
    assert lock_keys(prefix) == []


@pytest.mark.anyio
async def test_conversations_never_wait_for_each_other(prefix: str) -> None:
    first, second = store(prefix), store(prefix)
    async with first.lock("assure-1-a"):
        started = time.monotonic()
        async with second.lock("assure-1-b"):
            assert time.monotonic() - started < 0.05


# Redis down or hanging.


@pytest.mark.anyio
async def test_redis_refusing_connections_gives_a_lock_error_at_once(prefix: str) -> None:
    port = int(closed_port_url().rsplit(":", 1)[1])
    started = time.monotonic()
    with pytest.raises(LockError, match="failed"):
        async with store(prefix, port=port, socket_timeout=2).lock("c"):
            pytest.fail("entered without Redis")
    assert time.monotonic() - started < 0.5


@pytest.mark.anyio
async def test_redis_that_never_answers_gives_a_lock_error_within_the_socket_timeout(
    prefix: str,
) -> None:
    ticks: list[float] = []

    async def ticker() -> None:
        while True:
            ticks.append(time.monotonic())
            await asyncio.sleep(0.01)

    with silent_server() as url:
        port = int(url.rsplit(":", 1)[1])
        beat = asyncio.create_task(ticker())
        started = time.monotonic()
        with pytest.raises(LockError, match="Timeout"):
            async with store(prefix, port=port, socket_timeout=0.5).lock("c"):
                pytest.fail("entered without Redis")
        elapsed = time.monotonic() - started
        beat.cancel()
    assert 0.5 <= elapsed < 1.5
    gaps = [b - a for a, b in itertools.pairwise(ticks)]
    assert len(ticks) > 20 and max(gaps) < 0.1  # the event loop kept running meanwhile


# Settings, endpoints.yml and Rasa itself.


@pytest.mark.parametrize("bad", ["vigilance-prod", "a:b", "préfixe", "with space"])
def test_a_non_alphanumeric_key_prefix_is_refused(bad: str) -> None:
    with pytest.raises(LockStoreConfigError, match="key_prefix"):
        AtomicRedisLockStore(host=HOST, key_prefix=bad)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"key_prefx": "x"}, "Unknown lock_store setting"),
        ({"host": "redis://127.0.0.1:6379/1"}, "host name"),
        ({"port": "six"}, "whole number"),
        ({"socket_timeout": "0.01"}, "at least"),
        ({"use_ssl": "maybe"}, "true or false"),
    ],
)
def test_unusable_settings_are_refused(options: dict[str, Any], message: str) -> None:
    with pytest.raises(LockStoreConfigError, match=message):
        AtomicRedisLockStore(**options)


@pytest.mark.anyio
async def test_built_from_endpoints_yml_by_rasa(
    prefix: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOCK_STORE_HOST", HOST)
    monkeypatch.setenv("LOCK_STORE_TIMEOUT", "2.5")
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(
        f"lock_store:\n  type: {CLASS_PATH}\n  url: ${{LOCK_STORE_HOST}}\n  port: 6379\n"
        f"  db: {DB}\n  key_prefix: {prefix}\n  socket_timeout: ${{LOCK_STORE_TIMEOUT}}\n"
        "  lock_lifetime: 10\n  max_hold_time: 45\n  use_ssl: false\n",
        encoding="utf-8",
    )
    config = read_endpoint_config(str(endpoints), "lock_store")
    assert config is not None
    # What `rasa run --endpoints` reads is the same.
    assert vars(AvailableEndpoints.read_endpoints(str(endpoints)).lock_store) == vars(config)
    lock_store = LockStore.create(config)
    assert isinstance(lock_store, AtomicRedisLockStore)
    assert lock_store.settings == LockSettings(
        host=HOST, db=DB, key_prefix=prefix, socket_timeout=2.5, lock_lifetime=10, max_hold_time=45
    )
    async with lock_store.lock("c"):
        assert lock_keys(prefix)
    assert lock_keys(prefix) == []
    monkeypatch.setenv("SANIC_WORKERS", "3")
    assert number_of_sanic_workers(config) == 3  # Rasa lets several workers share it


def test_rasa_creates_it_from_an_endpoint_config(prefix: str) -> None:
    config = EndpointConfig(url=HOST, type=CLASS_PATH, port=6379, db=DB, key_prefix=prefix)
    lock_store = LockStore.create(config)
    assert isinstance(lock_store, AtomicRedisLockStore)
    assert lock_store.key_prefix == f"{prefix}:lock:"


def test_rasas_synchronous_entry_points(prefix: str) -> None:
    lock_store = store(prefix, lock_lifetime=5)
    first, second = lock_store.issue_ticket("c"), lock_store.issue_ticket("c")
    assert second > first
    assert lock_store.is_someone_waiting("c")
    lock = lock_store.get_lock("c")
    assert lock is not None and [t.number for t in lock.tickets] == [first, second]
    assert lock.now_serving == first
    ttl = redis.Redis(host=HOST, db=DB).pttl(f"{prefix}:lock:c:q")
    assert 5000 < ttl <= 6000  # unrenewed tickets vanish with their keys
    lock_store.finish_serving("c", first)
    lock = lock_store.get_lock("c")
    assert lock is not None and lock.now_serving == second
    lock_store.cleanup("c", second)
    assert lock_store.get_lock("c") is None and not lock_store.is_someone_waiting("c")
    assert lock_keys(prefix) == []
    lock_store.issue_ticket("c")
    lock_store.delete_lock("c")
    assert lock_keys(prefix) == []
    with pytest.raises(NotImplementedError):
        lock_store.save_lock(lock_store.create_lock("c"))
