"""Lock stores compared (bot environment, Redis on 127.0.0.1:6379), not a test:

    PYTHONPATH=. .venv-bot/bin/python -m bench.lock_bench

For `bot.lock_store.AtomicRedisLockStore` and Rasa's stock `RedisLockStore`, in the same run:
acquire + release of a free lock (rate, p50/p95, the longest stretch the event loop was blocked,
directly and through a proxy adding 2 ms to each Redis reply, like a Redis on another host),
the handoff between 4 processes taking turns on one conversation, and a hammer of 4 processes on
2 conversations: turns that overlapped another (mutual exclusion violated), turns refused with
`LockError`, keys left in Redis afterwards. Rasa's store is used as Rasa uses it (polling every
second), so its contended runs are short.
"""

from __future__ import annotations

import asyncio
import itertools
import multiprocessing
import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import redis
from rasa.core.lock_store import LockError, LockStore, RedisLockStore
from redis.asyncio import Redis as AsyncRedis

from bench.toolkit.measures import percentile
from bot.lock_store import AtomicRedisLockStore

HOST, PORT, DB = "127.0.0.1", 6379, 1
FORK = multiprocessing.get_context("fork")
PROXY_DELAY = 0.002
# A turn still waiting after this long is given up (Rasa's store can leave one waiting forever).
STUCK_AFTER = 20.0
STORES = {"ours": "AtomicRedisLockStore", "rasa": "RedisLockStore (Rasa)"}


def make_store(kind: str, prefix: str, port: int = PORT) -> LockStore:
    if kind == "ours":
        return AtomicRedisLockStore(host=HOST, port=port, db=DB, key_prefix=prefix)
    return RedisLockStore(host=HOST, port=port, db=DB, key_prefix=prefix)


# Free lock: rate, latency, event loop blocking.


def uncontended(kind: str, prefix: str, count: int, port: int = PORT) -> dict[str, float]:
    """Sequential turns on free locks, while a 1 ms timer measures how late the loop runs it."""

    async def run() -> dict[str, float]:
        lock_store = make_store(kind, prefix, port)
        lateness: list[float] = []
        running = True

        async def ticker() -> None:
            while running:
                due = time.perf_counter() + 0.001
                await asyncio.sleep(0.001)
                lateness.append(max(0.0, time.perf_counter() - due))

        async with lock_store.lock("warm-up"):
            pass
        beat = asyncio.create_task(ticker())
        latencies = []
        started = time.perf_counter()
        for i in range(count):
            before = time.perf_counter()
            async with lock_store.lock(f"free-{i % 50}"):
                pass
            latencies.append(time.perf_counter() - before)
            await asyncio.sleep(0)  # a server has other requests to serve in between
        elapsed = time.perf_counter() - started
        running = False
        await beat
        return {
            "rate": count / elapsed,
            "p50": percentile(latencies, 0.5) * 1000,
            "p95": percentile(latencies, 0.95) * 1000,
            "late p99": percentile(lateness, 0.99) * 1000,
            "late max": max(lateness) * 1000,
        }

    return asyncio.run(run())


@contextmanager
def delaying_proxy(delay: float) -> Iterator[int]:
    """A TCP proxy to Redis in its own process, holding each reply back for `delay` seconds."""
    ready = FORK.Queue()

    def serve() -> None:
        async def pipe(reader: Any, writer: Any, hold: float) -> None:
            loop = asyncio.get_running_loop()
            pending: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

            async def deliver() -> None:
                while True:
                    due, data = await pending.get()
                    await asyncio.sleep(max(0.0, due - loop.time()))
                    writer.write(data)

            sender = asyncio.create_task(deliver())
            try:
                while data := await reader.read(65536):
                    await pending.put((loop.time() + hold, data))
            finally:
                await asyncio.sleep(hold * 2)
                sender.cancel()
                writer.close()

        async def handle(reader: Any, writer: Any) -> None:
            up_reader, up_writer = await asyncio.open_connection(HOST, PORT)
            await asyncio.gather(pipe(reader, up_writer, 0), pipe(up_reader, writer, delay))

        async def main() -> None:
            server = await asyncio.start_server(handle, HOST, 0)
            ready.put(server.sockets[0].getsockname()[1])
            await asyncio.Event().wait()

        asyncio.run(main())

    process = FORK.Process(target=serve, daemon=True)
    process.start()
    try:
        yield ready.get(timeout=10)
    finally:
        process.kill()
        process.join()


# Turns taken by several processes at once.


def _turns(
    kind: str, prefix: str, barrier: Any, out: Any, cids: list[str], users: int, turns: int
) -> None:
    async def turn(lock_store: LockStore, rec: AsyncRedis[bytes], cid: str) -> tuple[Any, ...]:
        async with lock_store.lock(cid):
            entered = time.monotonic()
            try:
                overlap = await rec.incr(f"{prefix}:rec:{cid}") != 1
                await asyncio.sleep(0.002)
            finally:
                await rec.decr(f"{prefix}:rec:{cid}")
            return (cid, entered, time.monotonic(), overlap)

    async def user(lock_store: LockStore, rec: AsyncRedis[bytes], cid: str) -> list[Any]:
        taken = []
        for _ in range(turns):
            try:
                taken.append(await asyncio.wait_for(turn(lock_store, rec, cid), STUCK_AFTER))
            except LockError:
                taken.append((cid, None, "refused", False))
            except asyncio.TimeoutError:  # noqa: UP041 (not the builtin one before 3.11)
                taken.append((cid, None, "stuck", False))
        return taken

    async def main() -> list[Any]:
        lock_store = make_store(kind, prefix)
        rec = AsyncRedis(host=HOST, db=DB)
        done = await asyncio.gather(
            *(user(lock_store, rec, cid) for cid in cids for _ in range(users))
        )
        return [turn for taken in done for turn in taken]

    barrier.wait()
    out.put(asyncio.run(main()))


def contended(
    kind: str, prefix: str, conversations: list[str], processes: int, users: int, turns: int
) -> dict[str, Any]:
    barrier, out = FORK.Barrier(processes), FORK.Queue()
    args = (kind, prefix, barrier, out, conversations, users, turns)
    workers = [FORK.Process(target=_turns, args=args, daemon=True) for _ in range(processes)]
    started = time.monotonic()
    for worker in workers:
        worker.start()
    taken = [turn for _ in workers for turn in out.get(timeout=600)]
    elapsed = time.monotonic() - started
    for worker in workers:
        worker.join()
    handoffs = []
    for cid in conversations:
        served = sorted((t[1], t[2]) for t in taken if t[0] == cid and t[1] is not None)
        handoffs += [nxt[0] - prev[1] for prev, nxt in itertools.pairwise(served)]
    positive = [gap * 1000 for gap in handoffs if gap >= 0]
    return {
        "turns": len(taken),
        "served": sum(1 for t in taken if t[1] is not None),
        "refused": sum(1 for t in taken if t[2] == "refused"),
        "stuck": sum(1 for t in taken if t[2] == "stuck"),
        "violations": sum(1 for t in taken if t[3]),
        "handoff p50": percentile(positive, 0.5),
        "handoff p95": percentile(positive, 0.95),
        "seconds": elapsed,
    }


def leftover_keys(prefix: str) -> int:
    red = redis.Redis(host=HOST, db=DB)
    keys = list(red.scan_iter(f"{prefix}:lock:*"))
    everything = keys + list(red.scan_iter(f"{prefix}:rec:*"))
    if everything:
        red.delete(*everything)
    return len(keys)


def measure(kind: str) -> dict[str, Any]:
    prefix = f"bench{uuid.uuid4().hex[:10]}"
    rasa = kind == "rasa"
    print(f"{STORES[kind]}…", flush=True)
    result: dict[str, Any] = {"free": uncontended(kind, prefix, 2000)}
    with delaying_proxy(PROXY_DELAY) as port:
        result["remote"] = uncontended(kind, prefix, 100, port)
    result["handoff"] = contended(kind, prefix, ["hot"], 4, 1, 6 if rasa else 100)
    result["hammer"] = contended(kind, prefix, ["a", "b"], 4, 3, 3 if rasa else 20)
    result["left"] = leftover_keys(prefix)
    return result


def pair(result: dict[str, Any], first: str, second: str, digits: int = 0) -> str:
    return f"{result[first]:.{digits}f} / {result[second]:.{digits}f}"


def print_table(results: dict[str, dict[str, Any]]) -> None:
    def row(label: str, cell: Any) -> None:
        print(f"  {label:<46}" + "".join(f"{cell(r):>24}" for r in results.values()))

    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"\nVerrous de conversation — Redis {HOST}:{PORT}, {os.cpu_count()} cœurs, charge {load}")
    row("", lambda r: STORES[r["kind"]])
    row("verrou libre : prises + rendus par seconde", lambda r: f"{r['free']['rate']:.0f}")
    delay = f"Redis à +{PROXY_DELAY * 1000:.0f} ms"
    row("verrou libre : p50 / p95 (ms)", lambda r: pair(r["free"], "p50", "p95", 2))
    row(
        "retard d'un minuteur de 1 ms p99 / max (ms)",
        lambda r: pair(r["free"], "late p99", "late max", 2),
    )
    row(f"{delay} : p50 / p95 (ms)", lambda r: pair(r["remote"], "p50", "p95", 1))
    row(
        f"{delay} : retard du minuteur p99 / max (ms)",
        lambda r: pair(r["remote"], "late p99", "late max", 1),
    )
    runs = {"handoff": "4 processus, 1 conversation", "hammer": "marteau 4 proc. × 3 × 2 conv."}
    for name, title in runs.items():
        row(f"{title} : tours servis / demandés", lambda r, n=name: pair(r[n], "served", "turns"))
        row(
            "  passage de main p50 / p95 (ms)",
            lambda r, n=name: pair(r[n], "handoff p50", "handoff p95", 1),
        )
        row("  tours en même temps qu'un autre", lambda r, n=name: f"{r[n]['violations']}")
        row("  tours refusés (LockError)", lambda r, n=name: f"{r[n]['refused']}")
        row(
            f"  tours abandonnés après {STUCK_AFTER:.0f} s d'attente",
            lambda r, n=name: f"{r[n]['stuck']}",
        )
        row("  durée (s)", lambda r, n=name: f"{r[n]['seconds']:.1f}")
    row("clés laissées dans Redis", lambda r: f"{r['left']}")


def main() -> None:
    results = {kind: {"kind": kind, **measure(kind)} for kind in STORES}
    print_table(results)


if __name__ == "__main__":
    main()
