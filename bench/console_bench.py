"""HTTP benchmark of the agents' console with 100,000 reports: the report list's p50/p95.

For each backend: generate the reports in bulk (deterministic for a given seed and run date,
reused when already there), start uvicorn on 127.0.0.1, sign in as an agent, then time the
list page over HTTP under several filters, sorts and deep pages. The other pages are timed
too, for information. Results are printed and written to var/bench-console.json. Exit status 0
when the list's p95 meets the target, 1 otherwise.

    .venv-api/bin/python -m bench.console_bench [--backend sqlite|postgresql|both]
        [--reports 100000] [--requests 40] [--fresh]
"""

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from api.core.clock import local_today
from api.core.db import make_engine
from bench.console_data import TIMEZONE, prepare
from bench.console_pages import list_cases, measure, measure_export, other_pages, signed_in_client
from bench.toolkit.databases import BACKENDS, VAR, chosen_backends
from bench.toolkit.machine import describe_machine
from bench.toolkit.measures import ms, percentile
from bench.toolkit.server import running_api

RESULTS_PATH = VAR / "bench-console.json"
TARGET_LIST_P95_MS = 150.0


def bench_backend(
    backend: str, *, reports: int, seed: int, requests: int, fresh: bool
) -> dict[str, Any]:
    """Prepare the backend's data, start the app, and time the list, the pages, the export."""
    url, data = prepare(backend, reports=reports, seed=seed, fresh=fresh)
    engine = make_engine(url)
    today = local_today(TIMEZONE)
    cases, pages = list_cases(engine, reports, today), other_pages(engine)
    engine.dispose()
    results: dict[str, Any] = {"backend": backend, **data}
    log_path = VAR / f"bench-console-uvicorn-{backend}.log"
    with running_api(url, log_path, LOG_LEVEL="WARNING") as server:
        client = signed_in_client(server.base_url)
        list_measures, all_durations = [], []
        for name, path in cases:
            found, durations = measure(client, name, path, requests)
            list_measures.append(found)
            all_durations += durations
            print(
                f"[{backend}] {found.name} : p50 {found.p50_ms} ms, p95 {found.p95_ms} ms",
                flush=True,
            )
        results["list"] = [asdict(m) for m in list_measures]
        results["list_p50_ms"] = ms(percentile(all_durations, 0.5), 1)
        results["list_p95_ms"] = ms(percentile(all_durations, 0.95), 1)
        results["pages"] = [
            asdict(measure(client, n, p, max(10, requests // 4))[0]) for n, p in pages
        ]
        results["export"] = measure_export(client)
        client.close()
    results["target_met"] = results["list_p95_ms"] <= TARGET_LIST_P95_MS
    return results


def print_summary(report: dict[str, Any]) -> None:
    """A few lines per backend: the list's figures against the target, the pages, the export."""
    print()
    for result in report["backends"]:
        verdict = "atteint" if result["target_met"] else "MANQUÉ"
        print(
            f"{result['backend']:>10} : liste p50 {result['list_p50_ms']} ms, "
            f"p95 {result['list_p95_ms']} ms (objectif ≤ {TARGET_LIST_P95_MS:.0f} ms : {verdict})"
        )
        for page in result["pages"]:
            print(f"{'':>12} {page['name']} : p50 {page['p50_ms']} ms, p95 {page['p95_ms']} ms")
        export = result["export"]
        print(
            f"{'':>12} export CSV : {export['rows']} lignes, {export['megabytes']} Mo "
            f"en {export['total_s']} s (premier octet {export['first_byte_ms']} ms)"
        )
    print(f"Résultats : {RESULTS_PATH}")


def main(argv: Sequence[str] | None = None) -> int:
    """Bench each backend asked for; exit 1 if the list's p95 misses the target on one."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=(*BACKENDS, "both"), default="both")
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=40, help="requêtes mesurées par cas")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--fresh", action="store_true", help="recréer les données du bench")
    args = parser.parse_args(argv)
    report: dict[str, Any] = {
        "machine": describe_machine(),
        "target_list_p95_ms": TARGET_LIST_P95_MS,
        "backends": [],
    }
    for backend in chosen_backends(args.backend):
        report["backends"].append(
            bench_backend(
                backend,
                reports=args.reports,
                seed=args.seed,
                requests=args.requests,
                fresh=args.fresh,
            )
        )
    VAR.mkdir(parents=True, exist_ok=True)
    RESULTS_PATH.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print_summary(report)
    return 0 if all(r["target_met"] for r in report["backends"]) else 1


if __name__ == "__main__":
    sys.exit(main())
