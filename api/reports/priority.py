"""How urgent a report is: the score that orders the agents' queue, and why, in French.

Insurers prioritise clusters, not single oddities. A report's score multiplies five factors:

    score = 100 × anomaly × cluster × stake × confirmed × recency

- anomaly: the weight of the declared anomaly type (ANOMALY_WEIGHTS: an act never performed or
  a provider the person does not know weigh 1.0, a double billing 0.8, an act billed more than
  performed 0.7, anything else 0.4);
- cluster = 1 + 0.5 × (P − 1), P the number of distinct policyholders who reported the provider
  (independent reports make a cluster; 1 when the provider is not identified);
- stake = 1 + log10(1 + A / 100), A the euros at stake (the sum billed on the provider's reported
  claims): 100 € adds 0.3, 1 000 € adds 1.04, 10 000 € adds 2;
- confirmed = 1 + 0.5 × C, C the provider's reports already confirmed by an agent (« fondé »);
- recency = 2 ** (−age / 14), age in days since the report was filed (halved every 14 days).

`score`, `reasons` and `why` are pure: they read no database, so the formula is tested on its
own. `priority_queue` ranks the open reports filed in the last QUEUE_WINDOW_DAYS, the
providers' inputs counted over the reports of that same window (with a 14-day half-life, an
older report has lost over three quarters of its weight), in three set-based queries.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, ScalarSelect, and_, case, distinct, func, or_, select, text
from sqlalchemy.orm import InstrumentedAttribute, Session, selectinload

from api.claims.models import Claim, Provider
from api.reports.models import Report
from api.reports.workflow import OPEN_STATUSES, AnomalyType, ReportStatus

ANOMALY_WEIGHTS: dict[AnomalyType, float] = {
    AnomalyType.NOT_PERFORMED: 1.0,
    AnomalyType.UNKNOWN_PROVIDER: 1.0,
    AnomalyType.BILLED_TWICE: 0.8,
    AnomalyType.BILLED_MORE_THAN_PERFORMED: 0.7,
    AnomalyType.OTHER: 0.4,
}
# The anomaly as the « why » text names it.
ANOMALY_REASONS: dict[AnomalyType, str] = {
    AnomalyType.NOT_PERFORMED: "acte non réalisé",
    AnomalyType.UNKNOWN_PROVIDER: "professionnel inconnu de l'assuré",
    AnomalyType.BILLED_TWICE: "acte facturé deux fois",
    AnomalyType.BILLED_MORE_THAN_PERFORMED: "acte facturé plus cher que l'acte réalisé",
    AnomalyType.OTHER: "autre anomalie",
}
HALF_LIFE_DAYS = 14
CLUSTER_STEP = 0.5
CONFIRMED_STEP = 0.5
STAKE_UNIT_EUROS = 100
NBSP = "\u00a0"
NARROW_NBSP = "\u202f"


@dataclass(frozen=True)
class PriorityInputs:
    """What a report's score is computed from: the report itself and its provider's record."""

    anomaly_type: AnomalyType
    age_days: float
    # Distinct policyholders who reported the provider (at least 1: this report's author).
    policyholders: int = 1
    # The sum billed on the provider's reported claims, in euros.
    amount_at_stake: Decimal = Decimal(0)
    # The provider's reports already confirmed by an agent.
    confirmed: int = 0


def score(inputs: PriorityInputs) -> float:
    """The report's priority: higher first (see the module's docstring for the formula)."""
    cluster = 1 + CLUSTER_STEP * (max(inputs.policyholders, 1) - 1)
    stake = 1 + math.log10(1 + float(max(inputs.amount_at_stake, Decimal(0))) / STAKE_UNIT_EUROS)
    confirmed = 1 + CONFIRMED_STEP * max(inputs.confirmed, 0)
    recency = 2 ** (-max(inputs.age_days, 0.0) / HALF_LIFE_DAYS)
    return 100 * ANOMALY_WEIGHTS[inputs.anomaly_type] * cluster * stake * confirmed * recency


def _count(count: int, singular: str, plural_form: str) -> str:
    return f"{count:,}".replace(",", NARROW_NBSP) + NBSP + (singular if count < 2 else plural_form)


def _euros(amount: Decimal) -> str:
    units, cents = f"{amount.quantize(Decimal('0.01')):,}".split(".")
    return f"{units.replace(',', NARROW_NBSP)},{cents}{NBSP}€"


def _age(days: float) -> str:
    whole = int(days)
    if whole == 0:
        return "aujourd'hui"
    if whole == 1:
        return "hier"
    return f"il y a {_count(whole, 'jour', 'jours')}"


def _provider_reasons(inputs: PriorityInputs) -> tuple[list[str], list[str]]:
    """What the provider's record says: (cluster and money, confirmations)."""
    if inputs.policyholders > 1:
        holders = _count(inputs.policyholders, "assuré différent", "assurés différents")
        first = [f"{holders} signalent ce professionnel"]
    else:
        first = ["un seul assuré signale ce professionnel"]
    if inputs.amount_at_stake > 0:
        first.append(f"{_euros(inputs.amount_at_stake)} en jeu")
    confirmed = ("signalement déjà confirmé", "signalements déjà confirmés")
    last = [_count(inputs.confirmed, *confirmed)] if inputs.confirmed else []
    return first, last


def reasons(inputs: PriorityInputs) -> list[str]:
    """Why the report ranks where it does, factor by factor, in the agents' words."""
    first, last = _provider_reasons(inputs)
    return [*first, ANOMALY_REASONS[inputs.anomaly_type], _age(inputs.age_days), *last]


def why(inputs: PriorityInputs) -> str:
    """« 4 assurés différents signalent ce professionnel · 1 230,50 € en jeu · … »."""
    return f"{NBSP}· ".join(reasons(inputs))


QUEUE_WINDOW_DAYS = 30
QUEUE_SIZE = 20
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


def _claim_column(column: InstrumentedAttribute[Any]) -> ScalarSelect[Any]:
    """The report's claim's column, read by primary key for each report read: a join would
    make PostgreSQL hash (so scan) the whole claim table for a few thousand reports."""
    return select(column).where(Claim.id == Report.claim_id).scalar_subquery()


def provider_records(*, session: Session, since: datetime) -> dict[int, ProviderRecord]:
    """Every provider's distinct reporters, confirmed reports, reports and euros billed on the
    reported claims (a claim reported twice counts twice), over the reports filed since
    `since`: one GROUP BY over the window (index on report.created_at)."""
    confirmed = func.sum(case((Report.status == ReportStatus.CONFIRMED, 1), else_=0))
    stmt = (
        select(
            Claim.provider_id,
            func.count(distinct(Report.policyholder_id)),
            confirmed,
            func.count(Report.id),
            func.sum(Claim.amount_billed),
        )
        .join(Claim, Claim.id == Report.claim_id)
        .where(Report.created_at >= since)
        .group_by(Claim.provider_id)
    )
    return {
        provider_id: ProviderRecord(provider_id, holders, Decimal(amount or 0), int(ok or 0), total)
        for provider_id, holders, ok, total, amount in session.execute(stmt)
    }


def _inputs(
    anomaly: AnomalyType, created_at: datetime, record: ProviderRecord | None, now: datetime
) -> PriorityInputs:
    age = (now - created_at).total_seconds() / 86_400
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
) -> tuple[list[RankedReport], list[RankedProvider]]:
    """The open reports of the window most worth an agent's time, and the providers behind
    them (those reported in the window), each with its score and why it ranks there: the
    providers' records, a few columns of the newest open reports, the rows shown."""
    if session.get_bind().dialect.name == "postgresql":
        # PostgreSQL compiles the window's GROUP BY to machine code when its estimate is high:
        # measured at 1,000,000 reports, that alone made it four times slower.
        session.execute(text("SET LOCAL jit = off"))
    since = now - timedelta(days=QUEUE_WINDOW_DAYS)
    records = provider_records(session=session, since=since)
    conditions = [readable, Report.status.in_(OPEN_STATUSES), Report.created_at >= since]
    if anomaly_type is not None:
        conditions.append(Report.anomaly_type == anomaly_type)
    scored = _best_candidates(session, conditions, records, now, limit)
    scored.sort(key=lambda item: (-item[0], -item[1]))
    shown = scored[:limit]
    rows = session.scalars(
        select(Report)
        .where(Report.id.in_([report_id for _, report_id, _ in shown]))
        .options(selectinload(Report.claim))
    )
    reports = {report.id: report for report in rows}
    queue = [RankedReport(reports[i], value, why(inputs)) for value, i, inputs in shown]
    return queue, rank_providers(session, records.values(), limit)


def _best_candidates(
    session: Session,
    conditions: list[ColumnElement[bool]],
    records: dict[int, ProviderRecord],
    now: datetime,
    limit: int,
) -> list[tuple[float, int, PriorityInputs]]:
    """The window's open reports, newest first, a chunk at a time, until no older report can
    beat the `limit`-th best: it would need the best provider and the heaviest type at best,
    and its recency only falls (so most requests read one or two chunks, not the window)."""
    best_factor = max(
        (score(_inputs(AnomalyType.NOT_PERFORMED, now, r, now)) for r in records.values()),
        default=score(PriorityInputs(AnomalyType.NOT_PERFORMED, 0)),
    )
    scored: list[tuple[float, int, PriorityInputs]] = []
    after: ColumnElement[bool] | None = None
    while True:
        stmt = (
            select(
                Report.id, Report.anomaly_type, Report.created_at, _claim_column(Claim.provider_id)
            )
            .where(*conditions, *([after] if after is not None else []))
            .order_by(Report.created_at.desc(), Report.id.desc())
            .limit(CANDIDATE_CHUNK)
        )
        rows = session.execute(stmt).all()
        for report_id, anomaly, created_at, provider_id in rows:
            inputs = _inputs(anomaly, created_at, records.get(provider_id), now)
            scored.append((score(inputs), report_id, inputs))
        if len(rows) < CANDIDATE_CHUNK:
            return scored
        scored = sorted(scored, key=lambda item: (-item[0], -item[1]))[: max(limit, 1)]
        oldest_id, oldest = rows[-1][0], rows[-1][2]
        ceiling = best_factor * 2 ** (-(now - oldest).total_seconds() / 86_400 / HALF_LIFE_DAYS)
        if len(scored) >= limit and ceiling < scored[-1][0]:
            return scored
        after = or_(
            Report.created_at < oldest, and_(Report.created_at == oldest, Report.id < oldest_id)
        )


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
        first, last = _provider_reasons(inputs)
        why_text = f"{NBSP}· ".join([*first, *last])
        ranked.append(RankedProvider(providers[record.provider_id], record, value, why_text))
    return ranked
