"""HTTP benchmark of the real API on a large volume: claim matching latency, report filings/s.

For each backend: generate the volume (api.demo.volume, reused when already there), start
uvicorn on 127.0.0.1, then measure over HTTP. Results are printed and written to
var/bench-api.json. Exit status 0 when every target is met, 1 otherwise.

    .venv-api/bin/python -m bench.api_bench [--backend sqlite|postgresql|both] [--claims 1000000]
"""

import argparse
import json
import math
import os
import platform
import random
import socket
import subprocess
import sys
import threading
import time
import unicodedata
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import httpx
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from api.accounts import auth_sessions
from api.accounts.auth_sessions import AccountRef
from api.accounts.models import AccountKind, SessionOrigin
from api.claims.catalogue import ProviderKind
from api.core.clock import local_today
from api.core.config import PROJECT_ROOT, Settings
from api.core.db import make_engine
from api.core.security import encode_token
from api.demo import volume
from api.models import metadata
from contract import tokens as contract

HOST = "127.0.0.1"
POSTGRES_SERVER_URL = f"postgresql+psycopg://postgres@{HOST}:5432/postgres"
POSTGRES_DATABASE = "vigilance_bench"
VAR = Path(PROJECT_ROOT) / "var"
SQLITE_PATH = VAR / "bench.db"
RESULTS_PATH = VAR / "bench-api.json"
BENCH_SECRET = "bench-secret-key-not-for-production-0042"  # noqa: S105 - local bench only
BENCH_KEYS = {  # the assistant's keys, required outside demo mode (unused by the bench)
    "ASSISTANT_CHANNEL_KEY": "bench-channel-key-not-for-production-0042",
    "ASSISTANT_SERVICE_KEY": "bench-service-key-not-for-production-0042",
}

MATCH_WARMUP = 50
MATCH_REQUESTS = 1_000
FILING_THREADS = 16
FILINGS = 2_000
# Filed reports name claims of the last 12 months, well inside the 27 months of history.
FILING_CLAIM_MAX_AGE_DAYS = 365
TARGET_MATCH_P95_MS = 10.0
TARGET_FILINGS_PER_S = 200.0
SERVER_START_TIMEOUT_S = 60.0
# Above this share of the machine's CPU taken by other processes, the figures are pessimistic.
BUSY_MACHINE_SHARE = 0.05
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
REQUEST_TIMEOUT_S = 30.0

DOCTOR_KINDS = frozenset(
    {ProviderKind.GENERAL_PRACTITIONER, ProviderKind.SPECIALIST, ProviderKind.DENTIST}
)
PERSON_KINDS = DOCTOR_KINDS | {ProviderKind.PHYSIOTHERAPIST, ProviderKind.NURSE}
DESCRIPTIONS = (
    "Je n'ai jamais eu ce rendez-vous : l'acte a été facturé sans avoir été réalisé.",
    "Je n'étais pas présent ce jour-là, ce soin n'a pas eu lieu.",
    "Cette ligne ne correspond à aucun soin que j'ai reçu.",
)


# --- Test data ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SampledClaim:
    """A real volume claim, with what a person would remember of it."""

    claim_id: int
    holder_id: int
    care_date: date
    provider_name: str
    provider_kind: ProviderKind


@dataclass(frozen=True)
class MatchCase:
    """One claim-match request: what the person types to find the claim."""

    claim: SampledClaim
    care_date: date
    provider_text: str


def strip_accents(value: str) -> str:
    """« Hélène » → « Helene », as people often type on a phone."""
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def typed_provider(rng: random.Random, name: str, kind: ProviderKind) -> str:
    """The provider's name the way someone types it: lower case, no accents, « dr Martin »…"""
    variants = [name.lower(), strip_accents(name)]
    if kind in PERSON_KINDS:
        last_name = name.removeprefix("Dr ").split(" ", 1)[1]
        variants.append(last_name)
        if kind in DOCTOR_KINDS:
            variants += [f"docteur {last_name}", f"dr {strip_accents(last_name).lower()}"]
    return rng.choice(variants)


def sample_claims(
    engine: Engine, rng: random.Random, holders: int
) -> dict[int, list[SampledClaim]]:
    """All the claims of `holders` volume policyholders picked at random, by policyholder."""
    holder_table, claim_table = volume.POLICYHOLDER, volume.CLAIM
    provider_table = volume.PROVIDER
    with engine.connect() as connection:
        ids = list(
            connection.scalars(
                select(holder_table.c.id)
                .where(holder_table.c.nir.startswith(volume.NIR_PREFIX))
                .order_by(holder_table.c.id)
            )
        )
        chosen = rng.sample(ids, min(holders, len(ids)))
        stmt = (
            select(
                claim_table.c.id,
                claim_table.c.policyholder_id,
                claim_table.c.care_date,
                provider_table.c.name,
                provider_table.c.kind,
            )
            .join(provider_table, provider_table.c.id == claim_table.c.provider_id)
            .where(claim_table.c.policyholder_id.in_(chosen))
            .order_by(claim_table.c.id)
        )
        by_holder: dict[int, list[SampledClaim]] = {holder: [] for holder in chosen}
        for row in connection.execute(stmt):
            by_holder[row.policyholder_id].append(
                SampledClaim(
                    row.id, row.policyholder_id, row.care_date, row.name, ProviderKind(row.kind)
                )
            )
    return {holder: claims for holder, claims in by_holder.items() if claims}


def match_cases(
    rng: random.Random, claims: dict[int, list[SampledClaim]], today: date
) -> list[MatchCase]:
    """One case per policyholder: one of their claims, the date a few days off, the name typed."""
    cases = []
    for holder_claims in claims.values():
        claim = rng.choice(holder_claims)
        shift = timedelta(days=rng.randint(0, 3) * rng.choice((-1, 1)))
        care_date = min(claim.care_date + shift, today)
        typed = typed_provider(rng, claim.provider_name, claim.provider_kind)
        cases.append(MatchCase(claim, care_date, typed))
    return cases


def filing_body(rng: random.Random, claim: SampledClaim) -> dict[str, Any]:
    """A report as a policyholder files it directly (a transcript and a channel are the
    assistant's service identity's alone), about one of their real claims."""
    return {
        "claim_id": claim.claim_id,
        "care_date": claim.care_date.isoformat(),
        "provider_name": claim.provider_name,
        "description": rng.choice(DESCRIPTIONS),
        "anomaly_type": "not_performed",
    }


def recent_claims(claims: list[SampledClaim], today: date) -> list[SampledClaim]:
    """Claims recent enough to be reported whatever day the volume was generated."""
    oldest = today - timedelta(days=FILING_CLAIM_MAX_AGE_DAYS)
    return [claim for claim in claims if oldest <= claim.care_date < today]


# --- Measures ---------------------------------------------------------------------------------


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (share in 0–1) of a non-empty sample."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def ms(seconds: float) -> float:
    """Milliseconds, rounded for the report."""
    return round(seconds * 1000, 2)


@dataclass
class MatchResult:
    """Latency and accuracy of the claim-match requests."""

    requests: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    mean_ms: float
    hit_rate: float
    first_rate: float
    errors: int
    target_p95_ms: float = TARGET_MATCH_P95_MS
    met: bool = False


@dataclass
class FilingResult:
    """Throughput and latency of the concurrent report filings."""

    filings: int
    threads: int
    seconds: float
    per_second: float
    p50_ms: float | None
    p95_ms: float | None
    errors: int
    error_samples: list[str] = field(default_factory=list)
    target_per_second: float = TARGET_FILINGS_PER_S
    met: bool = False


@lru_cache
def _engine(database_url: str) -> Engine:
    return make_engine(database_url)


def bearer(holder_id: int, settings: Settings) -> dict[str, str]:
    """An access token made as POST /auth/token makes them, with its server-side session, for
    a login-less volume policyholder."""
    now, seconds = int(time.time()), settings.access_token_minutes * 60
    with Session(_engine(settings.database_url)) as session, session.begin():
        opened = auth_sessions.open_session(
            session=session,
            account=AccountRef(AccountKind.POLICYHOLDER, holder_id),
            origin=SessionOrigin.API,
            now=now,
            seconds=seconds,
        )
    token = encode_token(
        token_type=contract.ACCESS,
        subject=holder_id,
        role="policyholder",
        session_id=opened.id,
        key=settings.signing_key,
        seconds=seconds,
        now=now,
    )
    return {"Authorization": f"Bearer {token}"}


def match_once(
    client: httpx.Client, case: MatchCase, headers: dict[str, str]
) -> tuple[float, httpx.Response]:
    """One claim-match request and its duration in seconds."""
    params = {"care_date": case.care_date.isoformat(), "provider": case.provider_text}
    started = time.perf_counter()
    response = client.get("/api/v1/claims/match", params=params, headers=headers)
    return time.perf_counter() - started, response


def measure_matching(
    client: httpx.Client, cases: list[MatchCase], settings: Settings
) -> MatchResult:
    """Sequential matches, after a warm-up: latency, and whether the true claim is found."""
    tokens = {case.claim.holder_id: bearer(case.claim.holder_id, settings) for case in cases}
    for case in cases[:MATCH_WARMUP]:
        match_once(client, case, tokens[case.claim.holder_id])
    measured = cases[MATCH_WARMUP : MATCH_WARMUP + MATCH_REQUESTS]
    durations: list[float] = []
    hits = firsts = errors = 0
    for case in measured:
        duration, response = match_once(client, case, tokens[case.claim.holder_id])
        durations.append(duration)
        if response.status_code != 200:
            errors += 1
            continue
        ids = [candidate["claim"]["id"] for candidate in response.json()["candidates"]]
        hits += case.claim.claim_id in ids
        firsts += bool(ids) and ids[0] == case.claim.claim_id
    result = MatchResult(
        requests=len(measured),
        p50_ms=ms(percentile(durations, 0.50)),
        p95_ms=ms(percentile(durations, 0.95)),
        p99_ms=ms(percentile(durations, 0.99)),
        mean_ms=ms(sum(durations) / len(durations)),
        hit_rate=round(hits / len(measured), 4),
        first_rate=round(firsts / len(measured), 4),
        errors=errors,
    )
    result.met = result.p95_ms <= TARGET_MATCH_P95_MS and errors == 0
    return result


@dataclass
class FilerLog:
    """What one filing thread saw."""

    durations: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


Filing = tuple[dict[str, str], dict[str, Any]]  # (the filer's headers, the report)


def file_reports(
    base_url: str, filings: list[Filing], start: threading.Barrier, log: FilerLog
) -> None:
    """One thread: its own client, one filing after the other."""
    with new_client(base_url) as client:
        start.wait()
        for headers, body in filings:
            request_headers = {**headers, "Idempotency-Key": f"bench-{uuid.uuid4().hex}"}
            started = time.perf_counter()
            try:
                response = client.post("/api/v1/reports", json=body, headers=request_headers)
            except httpx.HTTPError as exc:
                log.errors.append(f"{type(exc).__name__}: {exc}")
                continue
            log.durations.append(time.perf_counter() - started)
            if not response.is_success:
                log.errors.append(f"{response.status_code} {response.text[:200]}")


def plan_filings(
    claims: dict[int, list[SampledClaim]], settings: Settings, rng: random.Random
) -> list[list[Filing]]:
    """FILINGS reports on as many distinct recent claims (one open report per person and
    claim), spread over FILING_THREADS threads; each filing carries its policyholder's token."""
    today = local_today(settings.timezone)
    recent = [
        claim for holder_claims in claims.values() for claim in recent_claims(holder_claims, today)
    ]
    if len(recent) < FILINGS:
        raise RuntimeError("Pas assez de remboursements récents dans le volume.")
    chosen = rng.sample(recent, FILINGS)
    headers = {claim.holder_id: bearer(claim.holder_id, settings) for claim in chosen}
    plans: list[list[Filing]] = [[] for _ in range(FILING_THREADS)]
    for n, claim in enumerate(chosen):
        plans[n % FILING_THREADS].append((headers[claim.holder_id], filing_body(rng, claim)))
    return plans


def forget_bench_filings(engine: Engine) -> None:
    """Delete the reports an earlier run filed, so their claims can be reported again."""
    report, event = metadata.tables["report"], metadata.tables["report_event"]
    filed = select(report.c.id).where(report.c.idempotency_key.startswith("bench-"))
    with engine.begin() as connection:
        connection.execute(event.delete().where(event.c.report_id.in_(filed)))
        connection.execute(report.delete().where(report.c.idempotency_key.startswith("bench-")))


def measure_filings(base_url: str, plans: list[list[Filing]]) -> FilingResult:
    """FILINGS reports from FILING_THREADS concurrent clients."""
    logs = [FilerLog() for _ in plans]
    start = threading.Barrier(len(plans) + 1)
    threads = [
        threading.Thread(target=file_reports, args=(base_url, plan, start, log), name=f"filer-{n}")
        for n, (plan, log) in enumerate(zip(plans, logs, strict=True))
    ]
    for thread in threads:
        thread.start()
    start.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    durations = [d for log in logs for d in log.durations]
    errors = [e for log in logs for e in log.errors]
    total = sum(len(plan) for plan in plans)
    result = FilingResult(
        filings=total,
        threads=len(plans),
        seconds=round(seconds, 2),
        per_second=round((total - len(errors)) / seconds, 1),
        p50_ms=ms(percentile(durations, 0.50)) if durations else None,
        p95_ms=ms(percentile(durations, 0.95)) if durations else None,
        errors=len(errors),
        error_samples=errors[:5],
    )
    result.met = result.per_second >= TARGET_FILINGS_PER_S and not errors
    return result


# --- Other processes on the machine -------------------------------------------------------------


def _busy_seconds() -> float:
    """CPU time all cores have spent busy since boot (Linux)."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS


def _process_seconds(pid: int) -> float:
    """CPU time one process has used (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime


def _bench_pids(server_pid: int) -> list[int]:
    """The processes that are part of the measure: this one, the server and PostgreSQL's."""
    postgres = [
        int(entry.name)
        for entry in Path("/proc").iterdir()
        if entry.name.isdigit() and _read(entry / "comm") == "postgres"
    ]
    return [os.getpid(), server_pid, *postgres]


def _read(path: Path) -> str:
    """A small /proc file, or "" if the process ended meanwhile."""
    try:
        return path.read_text().strip()
    except OSError:
        return ""


@dataclass(frozen=True)
class CpuSnapshot:
    """CPU counters at the start of the measures."""

    wall: float
    busy: float
    ours: dict[int, float]


def cpu_snapshot(server_pid: int) -> CpuSnapshot | None:
    """Where the machine's CPU time stands, to tell afterwards what others took (Linux only)."""
    if not Path("/proc/stat").exists():
        return None
    ours = {pid: _process_seconds(pid) for pid in _bench_pids(server_pid)}
    return CpuSnapshot(time.perf_counter(), _busy_seconds(), ours)


def foreign_cpu_share(start: CpuSnapshot | None) -> float | None:
    """Share of the machine's CPU that processes foreign to the bench used since `start`."""
    if start is None:
        return None
    ours = sum(_process_seconds(pid) - used for pid, used in start.ours.items())
    capacity = (time.perf_counter() - start.wall) * (os.cpu_count() or 1)
    return round(max(0.0, _busy_seconds() - start.busy - ours) / capacity, 3)


# --- The server and the databases ---------------------------------------------------------------


def free_port() -> int:
    """A port nobody listens on, for this run's server."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def new_client(base_url: str) -> httpx.Client:
    """A keep-alive client that talks to the local server only (no proxy from the environment)."""
    return httpx.Client(base_url=base_url, timeout=REQUEST_TIMEOUT_S, trust_env=False)


@dataclass(frozen=True)
class Server:
    """The running uvicorn subprocess."""

    base_url: str
    pid: int


@contextmanager
def running_server(settings: Settings, log_path: Path) -> Iterator[Server]:
    """The real app under uvicorn in a subprocess, while it runs; stopped after, even on error."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "SECRET_KEY": settings.signing_key,
        **BENCH_KEYS,
        "DEMO": "0",
        # The bench measures what a filing costs, not the caps per person and provider.
        "REPORT_DAILY_LIMIT": "1000",
        "REPORT_WEEKLY_LIMIT": "1000",
    }
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "api.main:create_app",
        "--factory",
        "--host",
        HOST,
        "--port",
        str(port),
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    with log_path.open("w") as log:
        process = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            base_url = f"http://{HOST}:{port}"
            wait_until_healthy(base_url, process, log_path)
            yield Server(base_url, process.pid)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_until_healthy(base_url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    """Poll /healthz until the server answers 200, or fail with the end of its log."""
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    with new_client(base_url) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"uvicorn s'est arrêté :\n{log_path.read_text()[-2000:]}")
            try:
                if client.get("/healthz").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
    raise RuntimeError(f"uvicorn ne répond pas sur {base_url}/healthz")


def postgres_database_url(*, fresh: bool) -> str:
    """The bench database on the local server, created if missing (dropped first if fresh)."""
    server = create_engine(POSTGRES_SERVER_URL, isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            if fresh:
                connection.execute(
                    text(f'DROP DATABASE IF EXISTS "{POSTGRES_DATABASE}" WITH (FORCE)')
                )
            exists = connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"),
                {"name": POSTGRES_DATABASE},
            )
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{POSTGRES_DATABASE}"'))
    finally:
        server.dispose()
    url = make_url(POSTGRES_SERVER_URL).set(database=POSTGRES_DATABASE)
    return url.render_as_string(hide_password=False)


def sqlite_database_url(*, fresh: bool) -> str:
    """The bench database file under var/ (removed first if fresh)."""
    SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    if fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{SQLITE_PATH}"


def database_url(backend: str, *, fresh: bool) -> str:
    """The URL of the bench database of a backend, ready to be migrated."""
    if backend == "postgresql":
        return postgres_database_url(fresh=fresh)
    return sqlite_database_url(fresh=fresh)


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


# --- One backend, and the report ------------------------------------------------------------------


def bench_backend(backend: str, claims: int, seed: int, *, fresh: bool) -> dict[str, Any]:
    """Generate (or reuse) the volume, start the app, and measure both scenarios."""
    url = database_url(backend, fresh=fresh)
    print(f"\n[{backend}] volume de {volume.french_number(claims)} remboursements…", flush=True)
    generated = volume.ensure_volume(url, claims=claims, seed=seed)
    print(f"[{backend}] {volume.describe(generated)}", flush=True)
    settings = Settings(
        database_url=url,
        secret_key=BENCH_SECRET,
        assistant_channel_key=BENCH_KEYS["ASSISTANT_CHANNEL_KEY"],
        assistant_service_key=BENCH_KEYS["ASSISTANT_SERVICE_KEY"],
        demo=False,
    )

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

    with running_server(settings, VAR / f"bench-uvicorn-{backend}.log") as server:
        start = cpu_snapshot(server.pid)
        with new_client(server.base_url) as client:
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


def print_table(result: dict[str, Any]) -> None:
    """A short table per backend: figures, targets, and whether each target is met."""
    generated, match, filings = result["volume"], result["match"], result["filings"]
    how = "générés" if generated["created"] else "réutilisés, vérifiés"
    rows = [
        (
            "Volume",
            f"{volume.french_number(generated['claims'])} remboursements "
            f"({how} en {generated['seconds']:.1f} s)",
            "",
            "",
        ),
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
    foreign = result["foreign_cpu_share"]
    print(f"\n{result['backend']} — {os.cpu_count()} cœurs")
    if foreign is not None and foreign > BUSY_MACHINE_SHARE:
        print(f"  ! d'autres processus ont pris {foreign:.0%} du processeur : chiffres pessimistes")
    print(f"  {'Mesure':<26}{'Valeur':<44}{'Cible':<12}Atteinte")
    for label, value, target, met in rows:
        print(f"  {label:<26}{value:<44}{target:<12}{met}")
    for sample in filings["error_samples"]:
        print(f"  ! {sample}")


def write_results(results: list[dict[str, Any]], claims: int) -> None:
    """Keep the figures as JSON, to compare runs over time."""
    VAR.mkdir(parents=True, exist_ok=True)
    document = {
        "run_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "claims_requested": claims,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "targets": {"match_p95_ms": TARGET_MATCH_P95_MS, "filings_per_s": TARGET_FILINGS_PER_S},
        "results": results,
    }
    RESULTS_PATH.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    print(f"\nRésultats écrits dans {RESULTS_PATH.relative_to(PROJECT_ROOT)}")


def main(argv: Sequence[str] | None = None) -> int:
    """Bench each backend asked for; exit 1 if a target is missed or a backend failed."""
    parser = argparse.ArgumentParser(description="Banc d'essai HTTP de l'API.")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--fresh", action="store_true", help="recréer les bases du banc d'essai avant la mesure"
    )
    args = parser.parse_args(argv)
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    results: list[dict[str, Any]] = []
    all_met = True
    for backend in backends:
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
