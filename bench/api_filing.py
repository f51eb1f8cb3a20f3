"""The API bench's second measure: reports filed per second by concurrent policyholders, each
`POST /api/v1/reports` about one of their own recent claims."""

import random
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx
from sqlalchemy import Engine, select

from api.core.clock import local_today
from api.core.config import Settings
from api.models import metadata
from bench.api_sampling import SampledClaim, bearer
from bench.toolkit.measures import ms, percentile
from bench.toolkit.server import local_client

FILING_THREADS = 16
FILINGS = 2_000
# Filed reports name claims of the last 12 months, well inside the 27 months of history.
FILING_CLAIM_MAX_AGE_DAYS = 365
TARGET_FILINGS_PER_S = 200.0
DESCRIPTIONS = (
    "Je n'ai jamais eu ce rendez-vous : l'acte a été facturé sans avoir été réalisé.",
    "Je n'étais pas présent ce jour-là, ce soin n'a pas eu lieu.",
    "Cette ligne ne correspond à aucun soin que j'ai reçu.",
)

Filing = tuple[dict[str, str], dict[str, Any]]  # (the filer's headers, the report)


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


@dataclass
class FilerLog:
    """What one filing thread saw."""

    durations: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def file_reports(
    base_url: str, filings: list[Filing], start: threading.Barrier, log: FilerLog
) -> None:
    """One thread: its own client, one filing after the other."""
    with local_client(base_url) as client:
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
