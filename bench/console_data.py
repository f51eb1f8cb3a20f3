"""The agents' console bench's data: a volume's policyholders and providers (bench.volume_rows),
then reports arriving over two years, each on a claim of its own, with their first event.

Deterministic for a given seed and run date; reused when the database already holds enough."""

import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as day_time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, Update, func, select, update

from api.claims.catalogue import Act, acts_for
from api.core.clock import local_today
from api.core.db import make_engine
from api.core.migrate import upgrade
from api.core.security import hash_password
from api.core.text import fold
from api.models import metadata
from api.reports.workflow import AnomalyType, Channel, EventKind, ReportStatus
from bench.toolkit.bulk import Row, insert_rows, write_rows
from bench.toolkit.databases import VAR, analyse, database_url
from bench.volume import CLAIM, POLICYHOLDER, PROVIDER, REPORT, REPORT_EVENT, volume_providers
from bench.volume_rows import (
    FIRST_NAMES,
    LAST_NAMES,
    PRICE_FACTORS,
    VolumeProvider,
    claim_row,
    policyholder_rows,
    provider_rows,
)

POSTGRES_DATABASE = "vigilance_console_bench"
SQLITE_PATH = VAR / "bench-console.db"
AGENT_USERNAME = "bench-agent"
AGENT_PASSWORD = "bench-password"  # noqa: S105 - local bench only
TIMEZONE = "Europe/Paris"
# Bench rows are told apart by this prefix of NIRs and provider identifiers (the demo and the
# tests use 1 and 2, the API bench's volume 99).
PREFIX = "98"
# The first provider made (a GP), which draws many reports: its page is timed.
HOT_PROVIDER_IDENTIFIER = f"{PREFIX}{0:09d}"
HOT_PROVIDERS = 40
PROVIDERS = 1_500
POLICYHOLDERS = 40_000
AGENTS = 20
HISTORY_DAYS = 730
CHUNK_ROWS = 5_000

STAFF = metadata.tables["staff_user"]

STATUS_WEIGHTS = {
    ReportStatus.RECEIVED: 30,
    ReportStatus.IN_REVIEW: 20,
    ReportStatus.INVESTIGATING: 10,
    ReportStatus.CONFIRMED: 10,
    ReportStatus.UNFOUNDED: 25,
    ReportStatus.DUPLICATE: 5,
}
DESCRIPTIONS = (
    "Je n'ai jamais eu ce rendez-vous : l'acte a été facturé sans avoir été réalisé.",
    "On m'a facturé une couronne alors que je n'ai eu qu'un détartrage.",
    "La même séance apparaît deux fois le même jour sur mon relevé.",
    "Je ne connais pas ce professionnel, je ne suis jamais allé dans ce cabinet.",
    "Le transport en ambulance n'a jamais eu lieu, je suis venu par mes propres moyens.",
    "Le montant facturé ne correspond pas à ce que j'ai payé au cabinet.",
    "Je n'étais pas en France à cette date, ce soin ne peut pas être le mien.",
)


@dataclass(frozen=True)
class PlannedReport:
    """A report to come, and the claim it is about."""

    created: datetime
    provider: VolumeProvider
    act: Act
    care_date: date
    holder_id: int


def count_bench_reports(connection: Connection) -> int:
    """Reports of the bench's policyholders already in the database."""
    holders = select(POLICYHOLDER.c.id).where(POLICYHOLDER.c.nir.startswith(PREFIX))
    stmt = select(func.count()).select_from(REPORT).where(REPORT.c.policyholder_id.in_(holders))
    return connection.scalar(stmt) or 0


def hot_provider_id(connection: Connection) -> int | None:
    """The provider whose pages and filter the bench times."""
    return connection.scalar(
        select(PROVIDER.c.id).where(PROVIDER.c.identifier == HOT_PROVIDER_IDENTIFIER)
    )


def _staff_rows(rng: random.Random, now: datetime) -> list[Row]:
    """AGENTS agents, the first one signing in to the console."""
    password_hash = hash_password(AGENT_PASSWORD)
    return [
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


def _ids(connection: Connection, column: Any, condition: Any) -> list[int]:
    return list(connection.scalars(select(column).where(condition).order_by(column)))


def _plan_reports(
    rng: random.Random,
    reports: int,
    now: datetime,
    providers: list[VolumeProvider],
    holders: list[int],
) -> list[PlannedReport]:
    """Reports arrive over two years, in order; a few providers draw many of them."""
    zone = ZoneInfo(TIMEZONE)
    hot = providers[:HOT_PROVIDERS]
    plans = []
    for n in range(reports):
        created = now - timedelta(seconds=(reports - n) * HISTORY_DAYS * 86_400 / reports)
        created += timedelta(seconds=rng.randint(0, 59))
        provider = rng.choice(hot) if rng.random() < 0.2 else rng.choice(providers)
        act = rng.choice(acts_for(provider.kind))
        care = (created.astimezone(zone) - timedelta(days=rng.randint(3, 120))).date()
        plans.append(PlannedReport(created, provider, act, care, rng.choice(holders)))
    return plans


def _claim_rows(rng: random.Random, plans: list[PlannedReport]) -> Iterator[Row]:
    """The claim each report is about, paid three days after the care."""
    for plan in plans:
        yield claim_row(
            holder_id=plan.holder_id,
            provider=plan.provider,
            act=plan.act,
            quantity=1,
            factor=rng.choice(PRICE_FACTORS),
            care_date=plan.care_date,
            paid_date=plan.care_date + timedelta(days=3),
            created_at=plan.created,
        )


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


def _report_rows(
    rng: random.Random, plans: list[PlannedReport], claim_ids: list[int], agent_ids: list[int]
) -> Iterator[Row]:
    """The reports as the assistant filed them, 85 % on their claim, then reviewed by agents."""
    statuses, weights = list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values())
    anomalies = list(AnomalyType)
    for plan, claim_id in zip(plans, claim_ids, strict=True):
        description = rng.choice(DESCRIPTIONS)
        linked = rng.random() < 0.85
        status = rng.choices(statuses, weights)[0]
        assigned = status != ReportStatus.RECEIVED and rng.random() < 0.8
        yield {
            "policyholder_id": plan.holder_id,
            "claim_id": claim_id if linked else None,
            "care_date": plan.care_date,
            "provider_name": plan.provider.name,
            "provider_search": fold(plan.provider.name),
            "description": description,
            "anomaly_type": rng.choice(anomalies).value,
            "status": status.value,
            "channel": Channel.ASSISTANT.value,
            "transcript": _transcript(rng, plan.created, description),
            "idempotency_key": None,
            "request_fingerprint": None,
            "assigned_to_id": rng.choice(agent_ids) if assigned else None,
            "duplicate_of_id": None,
            "created_at": plan.created,
            "updated_at": plan.created,
        }


def _event_rows(connection: Connection, first_report: int) -> Iterator[Row]:
    """The `created` event of each new report."""
    stmt = select(REPORT.c.id, REPORT.c.created_at).where(REPORT.c.id >= first_report)
    for report_id, created in connection.execute(stmt):
        yield {
            "report_id": report_id,
            "kind": EventKind.CREATED.value,
            "actor_id": None,
            "from_status": None,
            "to_status": ReportStatus.RECEIVED.value,
            "assigned_to_id": None,
            "note": None,
            "created_at": created,
        }


def _next_id(connection: Connection, table: Any) -> int:
    return (connection.scalar(select(func.max(table.c.id))) or 0) + 1


def _claim_figures(first_report: int) -> Update:
    """What filing copies from the claim onto each report (api/reports/filing.py)."""
    return (
        update(REPORT)
        .values(claim_provider_id=CLAIM.c.provider_id, claim_amount_billed=CLAIM.c.amount_billed)
        .where(CLAIM.c.id == REPORT.c.claim_id, REPORT.c.id >= first_report)
    )


def generate(engine: Engine, *, reports: int, seed: int, today: date) -> float:
    """Create the bench's staff, providers, policyholders, claims, reports and their events."""
    started = time.perf_counter()
    rng = random.Random(seed)
    now = datetime.combine(today, day_time(12), ZoneInfo(TIMEZONE)).astimezone(UTC)
    with engine.begin() as connection:
        insert_rows(connection, STAFF, _staff_rows(rng, now), CHUNK_ROWS)
        write_rows(connection, PROVIDER, provider_rows(rng, PROVIDERS, prefix=PREFIX), CHUNK_ROWS)
        holders = policyholder_rows(rng, POLICYHOLDERS, now, prefix=PREFIX)
        write_rows(connection, POLICYHOLDER, holders, CHUNK_ROWS)
        agent_ids = _ids(connection, STAFF.c.id, STAFF.c.username.startswith("bench-agent"))
        holder_ids = _ids(connection, POLICYHOLDER.c.id, POLICYHOLDER.c.nir.startswith(PREFIX))
        plans = _plan_reports(rng, reports, now, volume_providers(connection, PREFIX), holder_ids)
        first_claim = _next_id(connection, CLAIM)
        write_rows(connection, CLAIM, _claim_rows(rng, plans), CHUNK_ROWS)
        claim_ids = _ids(connection, CLAIM.c.id, CLAIM.c.id >= first_claim)
        first_report = _next_id(connection, REPORT)
        insert_rows(connection, REPORT, _report_rows(rng, plans, claim_ids, agent_ids), CHUNK_ROWS)
        connection.execute(_claim_figures(first_report))
        insert_rows(connection, REPORT_EVENT, _event_rows(connection, first_report), CHUNK_ROWS)
    analyse(engine)
    return time.perf_counter() - started


def prepare(backend: str, *, reports: int, seed: int, fresh: bool) -> tuple[str, dict[str, Any]]:
    """The backend's bench database, migrated and holding at least `reports` bench reports."""
    url = database_url(backend, name=POSTGRES_DATABASE, path=SQLITE_PATH, fresh=fresh)
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
