"""`make bench`, the cluster part (API environment): the production topology under load.

    .venv-api/bin/python -m bench.cluster_bench [--conversations 50] [--think 2.0]

For 1 and then 2 Rasa replicas, in the same run (each a fresh `python -m cluster` topology on
this machine's loopback, 2 action servers, 2 API processes, nginx): 50 report conversations at
once through nginx, each person taking `--think` seconds between messages, the 50 starting
within the first `--think` seconds (people do not all press Enter at the same instant). Every
person has signed in and every process has served a few conversations before the measure (a
process's first turns pay for its lazy start-up, about a second: the cold start, measured
apart). Prints turns per second, p50/p95 per turn, CPU time per turn summed over every process
of the topology and by kind (PostgreSQL, Redis and RabbitMQ not included), each replica's
resident memory, and a replica's cold start (SIGKILLed, restarted by the supervisor, until it
answers a message). Results also go to var/bench/cluster.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import statistics
import time
import uuid
from dataclasses import dataclass
from datetime import date

import httpx

from bench.toolkit.machine import cpu_seconds, descendants, resident_mb
from bench.toolkit.server import free_port
from cluster import control
from cluster.stores import delete_event_stream, drop_databases
from cluster.topology import ROOT, Counts, Topology
from tests.cluster.conftest import chat_token_for
from tests.cluster.conversation import Chat, Outcome, converse
from tests.cluster.population import Person, add_people

OUT = ROOT / "var" / "bench"


@dataclass
class Figures:
    replicas: int
    turns: int
    seconds: float
    p50_ms: float
    p95_ms: float
    cpu_ms_per_turn: float
    cpu_by_kind: dict[str, float]
    rss_mb: list[int]
    cold_start_s: float
    unfinished: int


def _kind_pids(topology: Topology) -> dict[str, set[int]]:
    """Every process of the topology by kind (its children included: nginx's workers)."""
    by_kind: dict[str, set[int]] = {}
    pids = _pids(topology)
    for process in topology.processes:
        if process.name in pids:
            by_kind.setdefault(process.kind, set()).update(descendants({pids[process.name]}))
    return by_kind


def _cpu_by_kind(topology: Topology) -> dict[str, float]:
    return {kind: cpu_seconds(pids) for kind, pids in _kind_pids(topology).items()}


def _pids(topology: Topology) -> dict[str, int]:
    states = control.supervisor_status(topology.state_dir)
    return {name: int(pid) for name, (_, pid) in states.items() if pid.isdigit()}


WARM_UP = 8


def _chats(topology: Topology, people: list[Person]) -> list[tuple[Chat, Person]]:
    entry = topology.entry_url
    return [(Chat(entry, chat_token_for(entry, p.username), f"banc-{n}"), p) for n, p in
            enumerate(people)]  # fmt: skip


async def _load(chats: list[tuple[Chat, Person]], think: float) -> tuple[list[Outcome], float]:
    started = time.perf_counter()
    deadline = time.monotonic() + 600
    spread = random.Random(7)

    async def person(client: httpx.AsyncClient, chat: Chat, who: Person) -> Outcome:
        await asyncio.sleep(spread.uniform(0, think))
        return await converse(client, chat, who, deadline=deadline, think=think)

    async with httpx.AsyncClient(timeout=120, limits=httpx.Limits(max_connections=200)) as client:
        outcomes = await asyncio.gather(*(person(client, c, p) for c, p in chats))
    return list(outcomes), time.perf_counter() - started


def _cold_start(topology: Topology) -> float:
    """SIGKILL rasa-1; seconds until it answers a message at its own address again."""
    rasa = topology.of_kind("rasa")[0]
    os.kill(_pids(topology)[rasa.name], signal.SIGKILL)
    killed = time.monotonic()
    body = {"sender": "demarrage", "message": "bonjour", "message_id": uuid.uuid4().hex}
    while time.monotonic() - killed < 300:
        try:
            answer = httpx.post(
                f"http://{rasa.address}/webhooks/rest/webhook", json=body, timeout=5
            )
            if answer.status_code == 200 and answer.json():
                return time.monotonic() - killed
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    return float("nan")


def measure(replicas: int, conversations: int, think: float) -> Figures:
    tag = uuid.uuid4().hex[:8]
    options = control.Options(
        state_dir=OUT / f"cluster-{replicas}",
        counts=Counts(rasa=replicas, actions=2, api=2),
        database=f"vigilance_bench_{tag}",
        tracker_database=f"vigilance_bench_tracker_{tag}",
        event_queue=f"vigilance_bench_{tag}",
        event_exchange=f"vigilance-bench-{tag}",
        entry_port=free_port(),
        api_base_port=free_port() + 10,
    )
    try:
        topology = control.up(options)
        url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{options.database}"
        people = add_people(url, conversations + WARM_UP, tag=f"banc{replicas}", today=date.today())
        chats = _chats(topology, people)  # signing in (argon2) is not a turn
        asyncio.run(_load(chats[:WARM_UP], 0))  # every process has served a few turns
        cpu_before = _cpu_by_kind(topology)
        outcomes, seconds = asyncio.run(_load(chats[WARM_UP:], think))
        spent = {k: v - cpu_before.get(k, 0.0) for k, v in _cpu_by_kind(topology).items()}
        cpu = sum(spent.values())
        rss = [int(resident_mb(_pids(topology)[p.name])) for p in topology.of_kind("rasa")]
        cold = _cold_start(topology)
    finally:
        control.stop(options.state_dir)
        drop_databases(options.database, options.tracker_database)
        delete_event_stream(options.event_queue, options.event_exchange)
    first_tries = [t.seconds * 1000 for o in outcomes for t in o.turns if t.status == 200]
    quantiles = statistics.quantiles(first_tries, n=100)
    per_turn = 1000 / max(1, len(first_tries))
    return Figures(
        replicas=replicas,
        turns=len(first_tries),
        seconds=seconds,
        p50_ms=statistics.median(first_tries),
        p95_ms=quantiles[94],
        cpu_ms_per_turn=cpu * per_turn,
        cpu_by_kind={kind: round(v * per_turn, 1) for kind, v in spent.items() if v > 0},
        rss_mb=rss,
        cold_start_s=cold,
        unfinished=sum(1 for o in outcomes if o.reference is None),
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--conversations", type=int, default=50)
    parser.add_argument("--think", type=float, default=2.0, help="secondes entre deux messages")
    args = parser.parse_args()
    results = [measure(r, args.conversations, args.think) for r in (1, 2)]
    print(f"\nGrappe : {args.conversations} conversations à la fois, {args.think} s entre deux "
          "messages d'une personne")  # fmt: skip
    print(f"{'répliques':>10} {'tours/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'CPU ms/tour':>12} "
          f"{'RSS Mo':>12} {'démarrage s':>12} {'inachevées':>11}")  # fmt: skip
    for f in results:
        print(f"{f.replicas:>10} {f.turns / f.seconds:>8.1f} {f.p50_ms:>7.0f} {f.p95_ms:>7.0f} "
              f"{f.cpu_ms_per_turn:>12.0f} {'/'.join(map(str, f.rss_mb)):>12} "
              f"{f.cold_start_s:>12.1f} {f.unfinished:>11}")  # fmt: skip
    for f in results:
        parts = ", ".join(
            f"{k} {v:.0f}" for k, v in sorted(f.cpu_by_kind.items(), key=lambda i: -i[1])
        )
        print(f"CPU par tour, {f.replicas} réplique(s), en ms : {parts}")
    print("Cibles : p95 ≤ 300 ms, 2 répliques pas plus lentes qu'une, démarrage ≤ 20 s.")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "cluster.json").write_text(json.dumps([f.__dict__ for f in results], indent=2))


if __name__ == "__main__":
    main()
