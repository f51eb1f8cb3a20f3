"""HTTP benchmark of the real API on a large volume: claim matching latency, report filings/s.

For each backend: generate the volume (bench.volume, reused when already there), start
uvicorn on 127.0.0.1, then measure over HTTP. Results are printed and written to
var/bench-api.json. Exit status 0 when every target is met, 1 otherwise.

    .venv-api/bin/python -m bench.api_bench [--backend sqlite|postgresql|both] [--claims 1000000]
"""

import argparse
import json
import os
import random
import sys
from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine

from api.core.clock import local_today
from api.core.config import PROJECT_ROOT
from api.core.db import make_engine
from api.models import metadata
from bench import volume
from bench.api_filing import (
    FILING_THREADS,
    FILINGS,
    TARGET_FILINGS_PER_S,
    forget_bench_filings,
    measure_filings,
    plan_filings,
)
from bench.api_matching import (
    MATCH_REQUESTS,
    MATCH_WARMUP,
    TARGET_MATCH_P95_MS,
    match_cases,
    measure_matching,
)
from bench.api_sampling import sample_claims
from bench.toolkit.databases import BACKENDS, VAR, chosen_backends, database_url
from bench.toolkit.machine import cpu_snapshot, describe_machine, foreign_cpu_share, pids_named
from bench.toolkit.server import bench_settings, local_client, running_api

POSTGRES_DATABASE = "vigilance_bench"
SQLITE_PATH = VAR / "bench.db"
RESULTS_PATH = VAR / "bench-api.json"
# Above this share of the machine's CPU taken by other processes, the figures are pessimistic.
BUSY_MACHINE_SHARE = 0.05
SERVER_SETTINGS = {  # the bench measures what a filing costs, not the caps per person and provider
    "REPORT_DAILY_LIMIT": "1000",
    "REPORT_WEEKLY_LIMIT": "1000",
}


def check_schema(engine: Engine) -> None:
    """Refuse a database whose schema differs from the models, e.g. after a migration edited
    in place: Alembic sees it at head and every request touching the new column fails."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)
    if differences:
        raise RuntimeError(
            f"le schéma de la base ne correspond pas aux modèles ({differences[0][0]}…) "
            "alors qu'Alembic la dit à jour : relancez avec --fresh pour la recréer."
        )


def bench_backend(backend: str, claims: int, seed: int, *, fresh: bool) -> dict[str, Any]:
    """Generate (or reuse) the volume, start the app, and measure both scenarios."""
    url = database_url(backend, name=POSTGRES_DATABASE, path=SQLITE_PATH, fresh=fresh)
    print(f"\n[{backend}] volume de {volume.french_number(claims)} remboursements…", flush=True)
    generated = volume.ensure_volume(url, claims=claims, seed=seed)
    print(f"[{backend}] {volume.describe(generated)}", flush=True)
    settings = bench_settings(url)

    rng = random.Random(f"bench-{seed}")
    engine = make_engine(url)
    try:
        check_schema(engine)
        claims_by_holder = sample_claims(engine, rng, MATCH_WARMUP + MATCH_REQUESTS)
        forget_bench_filings(engine)
    finally:
        engine.dispose()
    cases = match_cases(rng, claims_by_holder, local_today(settings.timezone))
    plans = plan_filings(claims_by_holder, settings, rng)

    log_path = VAR / f"bench-uvicorn-{backend}.log"
    with running_api(url, log_path, **SERVER_SETTINGS) as server:
        # The processes that are part of the measure: this one, the server and PostgreSQL's.
        start = cpu_snapshot([os.getpid(), server.pid, *pids_named("postgres")])
        with local_client(server.base_url) as client:
            print(f"[{backend}] rapprochements ({MATCH_REQUESTS} requêtes)…", flush=True)
            matching = measure_matching(client, cases, settings)
        print(f"[{backend}] signalements ({FILINGS} dépôts, {FILING_THREADS} clients)…", flush=True)
        filings = measure_filings(server.base_url, plans)
        foreign = foreign_cpu_share(start)
    return {
        "backend": backend,
        "foreign_cpu_share": foreign,
        "volume": {**asdict(generated), "seconds": round(generated.seconds, 1)},
        "match": asdict(matching),
        "filings": asdict(filings),
    }


def verdict(met: bool) -> str:
    """Whether a target is met, as the table says it."""
    return "oui" if met else "NON"


def fmt_ms(value: float | None) -> str:
    """A duration in ms for the table ("—" when nothing was measured)."""
    return "—" if value is None else f"{value:.1f}"


def table_rows(result: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """Label, figure, target and whether it is met, for each line of a backend's table."""
    generated, match, filings = result["volume"], result["match"], result["filings"]
    how = "générés" if generated["created"] else "réutilisés, vérifiés"
    claims = volume.french_number(generated["claims"])
    return [
        ("Volume", f"{claims} remboursements ({how} en {generated['seconds']:.1f} s)", "", ""),
        ("Rapprochement p50", f"{fmt_ms(match['p50_ms'])} ms", "", ""),
        (
            "Rapprochement p95",
            f"{fmt_ms(match['p95_ms'])} ms",
            f"≤ {TARGET_MATCH_P95_MS:g} ms",
            verdict(match["met"]),
        ),
        ("Rapprochement p99", f"{fmt_ms(match['p99_ms'])} ms", "", ""),
        (
            "Bonne ligne proposée",
            f"{match['hit_rate']:.1%} (1re : {match['first_rate']:.1%})",
            "",
            "",
        ),
        ("Erreurs (rapprochement)", str(match["errors"]), "0", verdict(match["errors"] == 0)),
        (
            "Signalements / s",
            f"{filings['per_second']:.0f}",
            f"≥ {TARGET_FILINGS_PER_S:g}",
            verdict(filings["met"]),
        ),
        (
            "Signalement p50 / p95",
            f"{fmt_ms(filings['p50_ms'])} / {fmt_ms(filings['p95_ms'])} ms",
            "",
            "",
        ),
        ("Réponses non 2xx", str(filings["errors"]), "0", verdict(filings["errors"] == 0)),
    ]


def print_table(result: dict[str, Any]) -> None:
    """A short table per backend: figures, targets, and whether each target is met."""
    foreign = result["foreign_cpu_share"]
    print(f"\n{result['backend']} — {os.cpu_count()} cœurs")
    if foreign is not None and foreign > BUSY_MACHINE_SHARE:
        print(f"  ! d'autres processus ont pris {foreign:.0%} du processeur : chiffres pessimistes")
    print(f"  {'Mesure':<26}{'Valeur':<44}{'Cible':<12}Atteinte")
    for label, value, target, met in table_rows(result):
        print(f"  {label:<26}{value:<44}{target:<12}{met}")
    for sample in result["filings"]["error_samples"]:
        print(f"  ! {sample}")


def write_results(results: list[dict[str, Any]], claims: int) -> None:
    """Keep the figures as JSON, to compare runs over time."""
    VAR.mkdir(parents=True, exist_ok=True)
    document = {
        "run_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "claims_requested": claims,
        "machine": describe_machine(),
        "targets": {"match_p95_ms": TARGET_MATCH_P95_MS, "filings_per_s": TARGET_FILINGS_PER_S},
        "results": results,
    }
    RESULTS_PATH.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    print(f"\nRésultats écrits dans {RESULTS_PATH.relative_to(PROJECT_ROOT)}")


def main(argv: Sequence[str] | None = None) -> int:
    """Bench each backend asked for; exit 1 if a target is missed or a backend failed."""
    parser = argparse.ArgumentParser(description="Banc d'essai HTTP de l'API.")
    parser.add_argument("--backend", choices=(*BACKENDS, "both"), default="both")
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--fresh", action="store_true", help="recréer les bases du banc d'essai avant la mesure"
    )
    args = parser.parse_args(argv)
    results: list[dict[str, Any]] = []
    all_met = True
    for backend in chosen_backends(args.backend):
        try:
            result = bench_backend(backend, args.claims, args.seed, fresh=args.fresh)
        except Exception as exc:
            print(f"[{backend}] échec : {type(exc).__name__}: {exc}", file=sys.stderr)
            results.append({"backend": backend, "error": f"{type(exc).__name__}: {exc}"})
            all_met = False
            continue
        print_table(result)
        results.append(result)
        all_met = all_met and result["match"]["met"] and result["filings"]["met"]
    write_results(results, args.claims)
    return 0 if all_met else 1


if __name__ == "__main__":
    sys.exit(main())
