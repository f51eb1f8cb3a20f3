"""Benchmark of the agents' priority queue with 1,000,000 reports on PostgreSQL.

Fills a throwaway database (`vigilance_bench_queue`, dropped afterwards unless --keep) with the
console bench's generator, then times, over HTTP as a signed-in agent: the queue page (all,
and filtered by anomaly type) and the report list (open reports, first and deep pages, with a
filter); and in process the queue's use case alone (`api.reports.priority.priority_queue`).
Prints p50/p95 per page and writes var/bench-agent-queue.json. Exit status 0 when every
page's p95 ≤ 300 ms.

    .venv-api/bin/python -m bench.agent_queue_bench [--reports 1000000] [--requests 30]
        [--keep] [--reuse]
"""

import argparse
import json
import sys
import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy import create_engine, text, true

from api.core.clock import local_today
from api.core.db import make_engine, make_sessionmaker, utcnow
from api.core.migrate import upgrade
from api.reports.priority import priority_queue
from bench.console_data import TIMEZONE, generate
from bench.console_pages import measure, signed_in_client
from bench.toolkit.databases import POSTGRES_SERVER_URL, VAR, postgres_database
from bench.toolkit.machine import describe_machine
from bench.toolkit.measures import ms, percentile
from bench.toolkit.server import running_api

DATABASE = "vigilance_bench_queue"
RESULTS_PATH = VAR / "bench-agent-queue.json"
TARGET_P95_MS = 300.0
PAGES = (
    ("file prioritaire", "/agent/priorites"),
    ("file prioritaire, acte non réalisé", "/agent/priorites?anomaly_type=not_performed"),
    ("signalements ouverts, page 1", "/agent/signalements?status=received"),
    ("signalements ouverts, page 2 000", "/agent/signalements?status=received&page=2000"),
    (
        "acte non réalisé et reçus, page 200",
        "/agent/signalements?status=received&anomaly_type=not_performed&page=200",
    ),
)


def fill(reports: int, seed: int) -> tuple[str, float]:
    """A fresh database holding `reports` bench reports, and the seconds the fill took."""
    url = postgres_database(DATABASE, fresh=True)
    upgrade(url)
    engine = make_engine(url)
    try:
        print(f"génération de {reports} signalements…", flush=True)
        seconds = generate(engine, reports=reports, seed=seed, today=local_today(TIMEZONE))
    finally:
        engine.dispose()
    return url, seconds


def time_use_case(url: str, runs: int) -> dict[str, float]:
    """The queue's use case alone, in process: p50/p95 in ms."""
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    durations = []
    try:
        for _ in range(runs + 3):
            with sessions() as session:
                started = time.perf_counter()
                priority_queue(session=session, readable=true(), now=utcnow())
                durations.append(time.perf_counter() - started)
    finally:
        engine.dispose()
    kept = durations[3:]
    return {"p50_ms": ms(percentile(kept, 0.5), 1), "p95_ms": ms(percentile(kept, 0.95), 1)}


def drop() -> None:
    server = create_engine(POSTGRES_SERVER_URL, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
    server.dispose()


def bench(reports: int, requests: int, seed: int, reuse: bool) -> dict[str, Any]:
    if reuse:  # a database filled earlier (--keep), migrated to the current head
        url, seconds = postgres_database(DATABASE, fresh=False), 0.0
        upgrade(url)
    else:
        url, seconds = fill(reports, seed)
    results: dict[str, Any] = {"reports": reports, "fill_s": round(seconds, 1), "pages": []}
    results["use_case"] = time_use_case(url, requests)
    print(f"file prioritaire (cas d'usage seul) : {results['use_case']}", flush=True)
    with running_api(url, VAR / "bench-agent-queue-uvicorn.log", LOG_LEVEL="WARNING") as server:
        client = signed_in_client(server.base_url)
        for name, path in PAGES:
            found, _durations = measure(client, name, path, requests)
            print(f"{name} : p50 {found.p50_ms} ms, p95 {found.p95_ms} ms", flush=True)
            results["pages"].append(
                {"name": name, "path": path, "p50_ms": found.p50_ms, "p95_ms": found.p95_ms}
            )
        client.close()
    results["target_met"] = all(p["p95_ms"] <= TARGET_P95_MS for p in results["pages"])
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--keep", action="store_true", help="garder la base après le bench")
    parser.add_argument("--reuse", action="store_true", help="reprendre la base gardée")
    args = parser.parse_args(argv)
    try:
        results = bench(args.reports, args.requests, args.seed, args.reuse)
    finally:
        if not args.keep:
            drop()
    report = {"machine": describe_machine(), "target_p95_ms": TARGET_P95_MS, **results}
    VAR.mkdir(parents=True, exist_ok=True)
    RESULTS_PATH.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(f"Résultats : {RESULTS_PATH}")
    return 0 if results["target_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
