"""The agents' queue: the open reports most worth an agent's time, and the providers behind
them, ranked by the score of `api.reports.priority_score` (formula and reasons in French).

`priority_queue` ranks the open reports filed in the last QUEUE_WINDOW_DAYS, the providers'
inputs counted over the reports of that same window (with a 14-day half-life, an older report
has lost over three quarters of its weight), from the queue's covering index: one GROUP BY per
provider, then the newest open reports a chunk at a time, then the rows shown.
"""

import heapq
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import ColumnElement, and_, case, distinct, func, or_, select, text
from sqlalchemy.orm import Session, selectinload

from api.claims.models import Provider
from api.reports.models import Report
from api.reports.priority_score import (
    NBSP,
    PriorityInputs,
    provider_factor,
    provider_reasons,
    score,
    weighted_score,
    why,
)
from api.reports.workflow import OPEN_STATUSES, AnomalyType, ReportStatus

__all__ = ["PriorityInputs", "priority_queue", "queue_length", "score", "why"]

QUEUE_WINDOW_DAYS = 30
QUEUE_SIZE = 20
# The queue's pages: below the 200 first, the report list and its filters serve better.
QUEUE_PAGES = 10
CANDIDATE_CHUNK = 2_000


@dataclass(frozen=True)
class ProviderRecord:
    """What the reports filed in the window say about one provider."""

    provider_id: int
    policyholders: int
    amount_at_stake: Decimal
    confirmed: int
    reports: int


@dataclass(frozen=True)
class RankedReport:
    report: Report
    score: float
    why: str


@dataclass(frozen=True)
class RankedProvider:
    provider: Provider
    record: ProviderRecord
    score: float
    why: str


def provider_records(*, session: Session, since: datetime) -> dict[int, ProviderRecord]:
    """Every provider's distinct reporters, confirmed reports, reports and euros billed on the
    reported claims (a claim reported twice counts twice), over the reports filed since
    `since`: one GROUP BY over the window, read from the queue's index (ix_report_queue) with
    the claim's figures the report copied when filed."""
    confirmed = func.sum(case((Report.status == ReportStatus.CONFIRMED, 1), else_=0))
    stmt = (
        select(
            Report.claim_provider_id,
            func.count(distinct(Report.policyholder_id)),
            confirmed,
            func.count(Report.id),
            func.sum(Report.claim_amount_billed),
        )
        .where(Report.created_at >= since, Report.claim_provider_id.is_not(None))
        .group_by(Report.claim_provider_id)
    )
    return {
        provider_id: ProviderRecord(provider_id, holders, Decimal(amount or 0), int(ok or 0), total)
        for provider_id, holders, ok, total, amount in session.execute(stmt)
    }


def _inputs(
    anomaly: AnomalyType, created_at: datetime, record: ProviderRecord | None, now: datetime
) -> PriorityInputs:
    age = _age_days(now, created_at)
    if record is None:  # no claim: the provider is not identified
        return PriorityInputs(anomaly, age)
    return PriorityInputs(
        anomaly, age, record.policyholders, record.amount_at_stake, record.confirmed
    )


def priority_queue(
    *,
    session: Session,
    readable: ColumnElement[bool],
    now: datetime,
    anomaly_type: AnomalyType | None = None,
    limit: int = QUEUE_SIZE,
    offset: int = 0,
) -> tuple[list[RankedReport], list[RankedProvider]]:
    """The open reports of the window most worth an agent's time (`limit` of them after the
    `offset` best), and the providers behind them (those reported in the window), each with
    its score and why it ranks there: the providers' records, a few columns of the newest open
    reports, the rows shown."""
    if session.get_bind().dialect.name == "postgresql":
        # PostgreSQL compiles the window's GROUP BY to machine code when its estimate is high:
        # measured at 1,000,000 reports, that alone made it four times slower.
        session.execute(text("SET LOCAL jit = off"))
    since = now - timedelta(days=QUEUE_WINDOW_DAYS)
    records = provider_records(session=session, since=since)
    conditions = [readable, Report.status.in_(OPEN_STATUSES), Report.created_at >= since]
    if anomaly_type is not None:
        conditions.append(Report.anomaly_type == anomaly_type)
    best = _best_candidates(session, conditions, records, now, offset + limit)
    shown = best[offset : offset + limit]
    rows = session.scalars(
        select(Report)
        .where(Report.id.in_([report_id for _, report_id, *_ in shown]))
        .options(selectinload(Report.claim))
    )
    reports = {report.id: report for report in rows}
    queue = []
    for value, report_id, anomaly, created_at, provider_id in shown:
        record = records.get(provider_id) if provider_id is not None else None
        inputs = _inputs(anomaly, created_at, record, now)
        queue.append(RankedReport(reports[report_id], value, why(inputs)))
    return queue, rank_providers(session, records.values(), QUEUE_SIZE)


def queue_length(
    *,
    session: Session,
    readable: ColumnElement[bool],
    now: datetime,
    anomaly_type: AnomalyType | None = None,
) -> int:
    """How many open reports the queue's pages show: those of the window (counted from its
    index), QUEUE_PAGES pages at most."""
    since = now - timedelta(days=QUEUE_WINDOW_DAYS)
    conditions = [readable, Report.status.in_(OPEN_STATUSES), Report.created_at >= since]
    if anomaly_type is not None:
        conditions.append(Report.anomaly_type == anomaly_type)
    count = session.scalar(select(func.count(Report.id)).where(*conditions)) or 0
    return min(count, QUEUE_SIZE * QUEUE_PAGES)


Candidate = tuple[float, int, AnomalyType, datetime, int | None]


def _best_candidates(
    session: Session,
    conditions: list[ColumnElement[bool]],
    records: dict[int, ProviderRecord],
    now: datetime,
    limit: int,
) -> list[Candidate]:
    """The window's open reports, newest first, a chunk at a time, until no older report can
    beat the `limit`-th best: it would need the best provider and the heaviest type at best,
    and its recency only falls (so most requests read one or two chunks, not the window).
    Each row is scored from its provider's factor, worked out once per provider."""
    factors: dict[int | None, float] = {
        provider_id: provider_factor(r.policyholders, r.amount_at_stake, r.confirmed)
        for provider_id, r in records.items()
    }
    best_factor = max(factors.values(), default=1.0)
    best: list[Candidate] = []
    after: ColumnElement[bool] | None = None
    while True:
        stmt = (
            select(Report.id, Report.anomaly_type, Report.created_at, Report.claim_provider_id)
            .where(*conditions, *([after] if after is not None else []))
            .order_by(Report.created_at.desc(), Report.id.desc())
            .limit(CANDIDATE_CHUNK)
        )
        rows = session.execute(stmt).all()
        scored = [
            (weighted_score(anomaly, factors.get(p, 1.0), _age_days(now, at)), i, anomaly, at, p)
            for i, anomaly, at, p in rows
        ]
        best = heapq.nlargest(max(limit, 1), [*best, *scored], key=lambda c: (c[0], c[1]))
        if len(rows) < CANDIDATE_CHUNK:
            return best
        oldest_id, oldest = rows[-1][0], rows[-1][2]
        ceiling = weighted_score(AnomalyType.NOT_PERFORMED, best_factor, _age_days(now, oldest))
        if len(best) >= limit and ceiling < best[-1][0]:
            return best
        after = or_(
            Report.created_at < oldest, and_(Report.created_at == oldest, Report.id < oldest_id)
        )


def _age_days(now: datetime, created_at: datetime) -> float:
    return (now - created_at).total_seconds() / 86_400


def rank_providers(
    session: Session, records: Iterable[ProviderRecord], limit: int
) -> list[RankedProvider]:
    """Providers by the score of an act never performed reported today on them: the cluster,
    the money and the confirmations, without a single report's type or age."""
    scored = []
    for record in records:
        inputs = PriorityInputs(
            AnomalyType.NOT_PERFORMED,
            0.0,
            record.policyholders,
            record.amount_at_stake,
            record.confirmed,
        )
        scored.append((score(inputs), record, inputs))
    scored.sort(key=lambda item: (-item[0], item[1].provider_id))
    top = scored[:limit]
    ids = [record.provider_id for _, record, _ in top]
    providers = {p.id: p for p in session.scalars(select(Provider).where(Provider.id.in_(ids)))}
    ranked = []
    for value, record, inputs in top:
        first, last = provider_reasons(inputs)
        why_text = f"{NBSP}· ".join([*first, *last])
        ranked.append(RankedProvider(providers[record.provider_id], record, value, why_text))
    return ranked
