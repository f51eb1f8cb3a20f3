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
import os
import platform
import random
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as day_time
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import Connection, Engine, create_engine, func, insert, select, text
from sqlalchemy.engine import make_url

from api.claims.catalogue import ACTS, ProviderKind, acts_for
from api.core.clock import local_today
from api.core.config import PROJECT_ROOT
from api.core.db import make_engine
from api.core.migrate import upgrade
from api.core.security import hash_password
from api.core.text import fold
from api.models import metadata
from api.reports.workflow import AnomalyType, Channel, EventKind, ReportStatus

HOST = "127.0.0.1"
POSTGRES_SERVER_URL = f"postgresql+psycopg://postgres@{HOST}:5432/postgres"
POSTGRES_DATABASE = "vigilance_console_bench"
VAR = Path(PROJECT_ROOT) / "var"
SQLITE_PATH = VAR / "bench-console.db"
RESULTS_PATH = VAR / "bench-console.json"
BENCH_SECRET = "console-bench-secret-key-not-for-production-7"  # noqa: S105 - local bench only
AGENT_USERNAME = "bench-agent"
AGENT_PASSWORD = "bench-password"  # noqa: S105 - local bench only
TIMEZONE = "Europe/Paris"

# Bench rows are told apart by these prefixes (the demo and the tests use 1 and 2, the API
# bench's volume 99).
NIR_PREFIX = "98"
IDENTIFIER_PREFIX = "98"
PROVIDERS = 1_500
POLICYHOLDERS = 40_000
AGENTS = 20
HISTORY_DAYS = 730
CHUNK_ROWS = 5_000
TARGET_LIST_P95_MS = 150.0
WARMUP = 3
SERVER_START_TIMEOUT_S = 60.0

POLICYHOLDER = metadata.tables["policyholder"]
PROVIDER = metadata.tables["provider"]
CLAIM = metadata.tables["claim"]
STAFF = metadata.tables["staff_user"]
REPORT = metadata.tables["report"]
REPORT_EVENT = metadata.tables["report_event"]

STATUS_WEIGHTS = {
    ReportStatus.RECEIVED: 30,
    ReportStatus.IN_REVIEW: 20,
    ReportStatus.INVESTIGATING: 10,
    ReportStatus.CONFIRMED: 10,
    ReportStatus.UNFOUNDED: 25,
    ReportStatus.DUPLICATE: 5,
}
LAST_NAMES = [
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefèvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
    "Martinez",
    "Legrand",
    "Garnier",
    "Faure",
    "Rousseau",
    "Blanc",
    "Guérin",
]
FIRST_NAMES = [
    "Camille",
    "Julien",
    "Fatima",
    "Sophie",
    "Karim",
    "Hélène",
    "Nicolas",
    "Élodie",
    "Thomas",
    "Nadia",
    "Léa",
    "Hugo",
    "Chloé",
    "Louis",
    "Manon",
    "Lucas",
    "Inès",
    "Gabriel",
    "Sarah",
    "Arthur",
    "Emma",
    "Jules",
    "Zoé",
    "Raphaël",
]
CITIES = ("Lyon", "Paris", "Marseille", "Toulouse", "Nantes", "Lille", "Rennes", "Grenoble")
DESCRIPTIONS = (
    "Je n'ai jamais eu ce rendez-vous : l'acte a été facturé sans avoir été réalisé.",
    "On m'a facturé une couronne alors que je n'ai eu qu'un détartrage.",
    "La même séance apparaît deux fois le même jour sur mon relevé.",
    "Je ne connais pas ce professionnel, je ne suis jamais allé dans ce cabinet.",
    "Le transport en ambulance n'a jamais eu lieu, je suis venu par mes propres moyens.",
    "Le montant facturé ne correspond pas à ce que j'ai payé au cabinet.",
    "Je n'étais pas en France à cette date, ce soin ne peut pas être le mien.",
)


# --- Data -------------------------------------------------------------------------------------


def _chunks(
    rows: Iterable[dict[str, Any]], size: int = CHUNK_ROWS
) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _insert(connection: Connection, table: Any, rows: Iterable[dict[str, Any]]) -> None:
    for batch in _chunks(rows):
        connection.execute(insert(table), batch)


def count_bench_reports(connection: Connection) -> int:
    holders = select(POLICYHOLDER.c.id).where(POLICYHOLDER.c.nir.startswith(NIR_PREFIX))
    stmt = select(func.count()).select_from(REPORT).where(REPORT.c.policyholder_id.in_(holders))
    return connection.scalar(stmt) or 0


def _providers(rng: random.Random) -> list[dict[str, Any]]:
    kinds = list(ProviderKind)
    rows = []
    for n in range(PROVIDERS):
        kind = rng.choice(kinds)
        person = kind in {
            ProviderKind.GENERAL_PRACTITIONER,
            ProviderKind.SPECIALIST,
            ProviderKind.DENTIST,
            ProviderKind.PHYSIOTHERAPIST,
            ProviderKind.NURSE,
        }
        last = rng.choice(LAST_NAMES)
        name = (
            f"Dr {rng.choice(FIRST_NAMES)} {last}"
            if person
            else f"{kind.value.replace('_', ' ').capitalize()} {last}"
        )
        rows.append(
            {
                "identifier": f"{IDENTIFIER_PREFIX}{n:09d}",
                "name": name,
                "search_name": fold(name),
                "kind": kind.value,
                "city": rng.choice(CITIES),
            }
        )
    return rows


def _policyholders(rng: random.Random, now: datetime) -> Iterator[dict[str, Any]]:
    for n in range(POLICYHOLDERS):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        yield {
            "nir": f"{NIR_PREFIX}{n:011d}",
            "first_name": first,
            "last_name": last,
            "email": f"assure{n}@example.fr",
            "notify_payments": True,
            "username": None,
            "password_hash": None,
            "is_demo": False,
            "created_at": now,
        }


def _ids(connection: Connection, column: Any, condition: Any) -> list[int]:
    return list(connection.scalars(select(column).where(condition).order_by(column)))


def _transcript(rng: random.Random, at: datetime, description: str) -> list[dict[str, str]]:
    turns = [
        ("bot", "Bonjour ! Quel remboursement vous paraît suspect ?"),
        ("user", description),
        ("bot", "Merci. Je récapitule votre signalement : le confirmez-vous ?"),
        ("user", rng.choice(("Oui", "Oui, c'est bien ça", "Je confirme"))),
    ]
    return [
        {"sender": who, "text": said, "timestamp": (at + timedelta(seconds=20 * i)).isoformat()}
        for i, (who, said) in enumerate(turns)
    ]


def generate(engine: Engine, *, reports: int, seed: int, today: date) -> float:
    """Create the bench's staff, providers, policyholders, claims, reports and their events."""
    started = time.perf_counter()
    rng = random.Random(seed)
    zone = ZoneInfo(TIMEZONE)
    now = datetime.combine(today, day_time(12), zone).astimezone(UTC)
    password_hash = hash_password(AGENT_PASSWORD)
    with engine.begin() as connection:
        staff = [
            {
                "username": AGENT_USERNAME if n == 0 else f"bench-agent-{n}",
                "full_name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                "role": "agent",
                "password_hash": password_hash,
                "is_active": True,
                "is_demo": False,
                "created_at": now,
            }
            for n in range(AGENTS)
        ]
        _insert(connection, STAFF, staff)
        _insert(connection, PROVIDER, _providers(rng))
        _insert(connection, POLICYHOLDER, _policyholders(rng, now))
        agent_ids = _ids(connection, STAFF.c.id, STAFF.c.username.startswith("bench-agent"))
        provider_rows = connection.execute(
            select(PROVIDER.c.id, PROVIDER.c.name, PROVIDER.c.kind)
            .where(PROVIDER.c.identifier.startswith(IDENTIFIER_PREFIX))
            .order_by(PROVIDER.c.id)
        ).all()
        holder_ids = _ids(connection, POLICYHOLDER.c.id, POLICYHOLDER.c.nir.startswith(NIR_PREFIX))

        # Reports arrive over two years, in order; a few providers draw many of them.
        hot = provider_rows[:40]
        plans = []
        for n in range(reports):
            created = now - timedelta(seconds=(reports - n) * HISTORY_DAYS * 86_400 / reports)
            created += timedelta(seconds=rng.randint(0, 59))
            provider = rng.choice(hot) if rng.random() < 0.2 else rng.choice(provider_rows)
            act = rng.choice(acts_for(ProviderKind(provider.kind)))
            care = (created.astimezone(zone) - timedelta(days=rng.randint(3, 120))).date()
            plans.append((created, provider, act, care, rng.choice(holder_ids)))

        claim_rows = []
        for created, provider, act, care, holder in plans:
            billed = (act.price * Decimal(rng.choice(("1", "1", "1.1", "1.25")))).quantize(
                Decimal("0.01")
            )
            claim_rows.append(
                {
                    "policyholder_id": holder,
                    "provider_id": provider.id,
                    "care_date": care,
                    "act_code": act.code,
                    "act_label": ACTS[act.code].label,
                    "quantity": 1,
                    "amount_billed": billed,
                    "reimbursement_base": act.base,
                    "reimbursement_rate": act.rate,
                    "amount_reimbursed": min(billed, act.base * act.rate / 100).quantize(
                        Decimal("0.01")
                    ),
                    "paid_date": care + timedelta(days=3),
                    "third_party_payment": False,
                    "created_at": created,
                }
            )
        first_claim = (connection.scalar(select(func.max(CLAIM.c.id))) or 0) + 1
        _insert(connection, CLAIM, claim_rows)
        claim_ids = _ids(connection, CLAIM.c.id, CLAIM.c.id >= first_claim)

        statuses = list(STATUS_WEIGHTS)
        weights = list(STATUS_WEIGHTS.values())
        anomalies = list(AnomalyType)

        def report_rows() -> Iterator[dict[str, Any]]:
            for n, (created, provider, _act, care, holder) in enumerate(plans):
                description = rng.choice(DESCRIPTIONS)
                linked = rng.random() < 0.85
                status = rng.choices(statuses, weights)[0]
                yield {
                    "policyholder_id": holder,
                    "claim_id": claim_ids[n] if linked else None,
                    "care_date": care,
                    "provider_name": provider.name,
                    "provider_search": fold(provider.name),
                    "description": description,
                    "anomaly_type": rng.choice(anomalies).value,
                    "status": status.value,
                    "channel": Channel.ASSISTANT.value,
                    "transcript": _transcript(rng, created, description),
                    "idempotency_key": None,
                    "request_fingerprint": None,
                    "assigned_to_id": (
                        rng.choice(agent_ids)
                        if status != ReportStatus.RECEIVED and rng.random() < 0.8
                        else None
                    ),
                    "duplicate_of_id": None,
                    "created_at": created,
                    "updated_at": created,
                }

        first_report = (connection.scalar(select(func.max(REPORT.c.id))) or 0) + 1
        _insert(connection, REPORT, report_rows())
        events = (
            {
                "report_id": report_id,
                "kind": EventKind.CREATED.value,
                "actor_id": None,
                "from_status": None,
                "to_status": ReportStatus.RECEIVED.value,
                "assigned_to_id": None,
                "note": None,
                "created_at": created,
            }
            for report_id, created in connection.execute(
                select(REPORT.c.id, REPORT.c.created_at).where(REPORT.c.id >= first_report)
            )
        )
        _insert(connection, REPORT_EVENT, events)
    _analyse(engine)
    return time.perf_counter() - started


def _analyse(engine: Engine) -> None:
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    else:
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))


# --- Databases --------------------------------------------------------------------------------


def postgres_database_url(*, fresh: bool) -> str:
    server = create_engine(POSTGRES_SERVER_URL, isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            exists = connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"),
                {"name": POSTGRES_DATABASE},
            )
            if exists and fresh:
                connection.execute(text(f'DROP DATABASE "{POSTGRES_DATABASE}" WITH (FORCE)'))
            if not exists or fresh:
                connection.execute(text(f'CREATE DATABASE "{POSTGRES_DATABASE}"'))
    finally:
        server.dispose()
    url = make_url(POSTGRES_SERVER_URL).set(database=POSTGRES_DATABASE)
    return url.render_as_string(hide_password=False)


def sqlite_database_url(*, fresh: bool) -> str:
    VAR.mkdir(parents=True, exist_ok=True)
    if fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{SQLITE_PATH}"


def prepare(backend: str, *, reports: int, seed: int, fresh: bool) -> tuple[str, dict[str, Any]]:
    url = postgres_database_url(fresh=fresh) if backend == "postgresql" else None
    url = url or sqlite_database_url(fresh=fresh)
    upgrade(url)
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            existing = count_bench_reports(connection)
        seconds = 0.0
        if existing < reports:
            if existing:
                raise SystemExit(
                    f"La base {backend} contient {existing} signalements du bench, moins que "
                    f"{reports} : relancez avec --fresh."
                )
            print(f"[{backend}] génération de {reports} signalements…", flush=True)
            seconds = generate(engine, reports=reports, seed=seed, today=local_today(TIMEZONE))
        with engine.connect() as connection:
            total = connection.scalar(select(func.count()).select_from(REPORT)) or 0
    finally:
        engine.dispose()
    return url, {"reports": total, "generated_in_s": round(seconds, 1)}


# --- Server and client ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def running_server(database_url: str, log_path: Path) -> Iterator[str]:
    """The real app under uvicorn in a subprocess, stopped afterwards."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": BENCH_SECRET,
        # Required outside demo mode (unused by the bench).
        "ASSISTANT_CHANNEL_KEY": "console-bench-channel-key-not-for-production",
        "ASSISTANT_SERVICE_KEY": "console-bench-service-key-not-for-production",
        "DEMO": "0",
        "LOG_LEVEL": "WARNING",
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
    base_url = f"http://{HOST}:{port}"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.monotonic() + SERVER_START_TIMEOUT_S
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"uvicorn s'est arrêté :\n{log_path.read_text()[-2000:]}")
                try:
                    if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"uvicorn ne répond pas sur {base_url}")
                time.sleep(0.2)
            yield base_url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def signed_in_client(base_url: str) -> httpx.Client:
    client = httpx.Client(base_url=base_url, timeout=60, follow_redirects=True)
    page = client.get("/connexion")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token, "pas de jeton CSRF sur /connexion"
    answer = client.post(
        "/connexion",
        data={"username": AGENT_USERNAME, "password": AGENT_PASSWORD, "csrf_token": token[1]},
    )
    if answer.status_code != 200 or "/agent" not in str(answer.url):
        raise RuntimeError(f"connexion impossible : {answer.status_code}")
    return client


# --- Measures ---------------------------------------------------------------------------------


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (share in 0–1) of a non-empty sample."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))]


@dataclass
class Measure:
    name: str
    path: str
    requests: int
    p50_ms: float
    p95_ms: float
    max_ms: float
    rows_matched: str


def timed_get(client: httpx.Client, path: str) -> tuple[float, httpx.Response]:
    started = time.perf_counter()
    response = client.get(path)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"{path} → {response.status_code}")
    return elapsed, response


def measure(
    client: httpx.Client, name: str, path: str, requests: int
) -> tuple[Measure, list[float]]:
    for _ in range(WARMUP):
        _elapsed, response = timed_get(client, path)
    durations = [timed_get(client, path)[0] for _ in range(requests)]
    found = re.search(r"([\d\u202f]+)\u00a0signalements?,", response.text)
    return (
        Measure(
            name=name,
            path=path,
            requests=requests,
            p50_ms=round(percentile(durations, 0.5) * 1000, 1),
            p95_ms=round(percentile(durations, 0.95) * 1000, 1),
            max_ms=round(max(durations) * 1000, 1),
            rows_matched=found[1].replace("\u202f", " ") if found else "0",
        ),
        durations,
    )


def list_cases(engine: Engine, reports: int, today: date) -> list[tuple[str, str]]:
    with engine.connect() as connection:
        hot_provider = connection.scalar(
            select(PROVIDER.c.id).where(PROVIDER.c.identifier == f"{IDENTIFIER_PREFIX}{0:09d}")
        )
        some_agent = connection.scalar(
            select(STAFF.c.id).where(STAFF.c.username == "bench-agent-3")
        )
    last_page = -(-reports // 25)
    month_ago = (today - timedelta(days=30)).isoformat()
    return [
        ("Première page, les plus récents", "/agent/signalements"),
        (f"Dernière page (page {last_page})", f"/agent/signalements?page={last_page}"),
        ("Page 2 000, les plus anciens d'abord", "/agent/signalements?sort=created_at&page=2000"),
        ("Statut « Reçu »", "/agent/signalements?status=received"),
        ("Statut « Reçu », page 1 000", "/agent/signalements?status=received&page=1000"),
        (
            "Statut + tri par date des soins",
            "/agent/signalements?status=in_review&sort=-care_date",
        ),
        ("Tri par date des soins, page 2 000", "/agent/signalements?sort=care_date&page=2000"),
        ("Reçus ces 30 derniers jours", f"/agent/signalements?received_from={month_ago}"),
        (
            "Soins sur 3 mois + type d'anomalie",
            "/agent/signalements?care_from="
            f"{(today - timedelta(days=200)).isoformat()}&care_to="
            f"{(today - timedelta(days=110)).isoformat()}&anomaly_type=billed_twice",
        ),
        ("Professionnel saisi « martin »", "/agent/signalements?provider=martin"),
        ("Texte libre « couronne »", "/agent/signalements?q=couronne"),
        ("Texte libre rare « introuvable »", "/agent/signalements?q=introuvable"),
        ("Affectés à moi", "/agent/signalements?assigned=me"),
        (f"Affectés à l'agent {some_agent}", f"/agent/signalements?assigned={some_agent}"),
        ("Non affectés, page 500", "/agent/signalements?assigned=none&page=500"),
        ("Professionnel enregistré", f"/agent/signalements?provider_id={hot_provider}"),
        ("100 par page, page 500", "/agent/signalements?per_page=100&page=500"),
        (
            "Tout combiné",
            f"/agent/signalements?status=unfounded&anomaly_type=not_performed"
            f"&received_from={(today - timedelta(days=365)).isoformat()}&provider=dr"
            f"&q=jamais&sort=-care_date&assigned={some_agent}",
        ),
    ]


def other_pages(engine: Engine) -> list[tuple[str, str]]:
    with engine.connect() as connection:
        report = connection.execute(
            select(REPORT.c.id, REPORT.c.created_at).order_by(REPORT.c.id.desc()).limit(1)
        ).one()
        hot_provider = connection.scalar(
            select(PROVIDER.c.id).where(PROVIDER.c.identifier == f"{IDENTIFIER_PREFIX}{0:09d}")
        )
    reference = f"SIG-{report.created_at.year}-{report.id:06d}"
    return [
        ("Tableau de bord", "/agent"),
        ("Page d'un signalement", f"/agent/signalements/{reference}"),
        ("Fiche d'un professionnel très signalé", f"/agent/professionnels/{hot_provider}"),
    ]


def measure_export(client: httpx.Client) -> dict[str, Any]:
    started = time.perf_counter()
    size = 0
    lines = 0
    with client.stream("GET", "/agent/signalements.csv") as response:
        first_byte = None
        for chunk in response.iter_bytes():
            first_byte = first_byte or time.perf_counter() - started
            size += len(chunk)
            lines += chunk.count(b"\n")
    return {
        "rows": lines - 1,
        "megabytes": round(size / 1e6, 1),
        "first_byte_ms": round((first_byte or 0) * 1000, 1),
        "total_s": round(time.perf_counter() - started, 2),
    }


def bench_backend(
    backend: str, *, reports: int, seed: int, requests: int, fresh: bool
) -> dict[str, Any]:
    url, data = prepare(backend, reports=reports, seed=seed, fresh=fresh)
    engine = make_engine(url)
    today = local_today(TIMEZONE)
    cases, pages = list_cases(engine, reports, today), other_pages(engine)
    engine.dispose()
    results: dict[str, Any] = {"backend": backend, **data}
    with running_server(url, VAR / f"bench-console-uvicorn-{backend}.log") as base_url:
        client = signed_in_client(base_url)
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
        results["list_p50_ms"] = round(percentile(all_durations, 0.5) * 1000, 1)
        results["list_p95_ms"] = round(percentile(all_durations, 0.95) * 1000, 1)
        results["pages"] = [
            asdict(measure(client, n, p, max(10, requests // 4))[0]) for n, p in pages
        ]
        results["export"] = measure_export(client)
        client.close()
    results["target_met"] = results["list_p95_ms"] <= TARGET_LIST_P95_MS
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=40, help="requêtes mesurées par cas")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--fresh", action="store_true", help="recréer les données du bench")
    args = parser.parse_args(argv)
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    report: dict[str, Any] = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "target_list_p95_ms": TARGET_LIST_P95_MS,
        "backends": [],
    }
    for backend in backends:
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
    return 0 if all(r["target_met"] for r in report["backends"]) else 1


if __name__ == "__main__":
    sys.exit(main())
