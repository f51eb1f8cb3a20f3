"""Figures for the dashboard and the provider page, computed by the database."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, desc, distinct, func, or_, select, union_all
from sqlalchemy.orm import Session

from api.claims.models import Claim, Provider
from api.reports.models import Report
from api.reports.workflow import ANOMALY_LABELS, STATUS_LABELS, AnomalyType, ReportStatus

BAR_STEP = 5


@dataclass(frozen=True)
class StatusCount:
    status: ReportStatus
    label: str
    count: int


@dataclass(frozen=True)
class DayCount:
    day: date
    count: int
    bar: int  # width of its bar, in percent of the busiest day, by steps of 5


@dataclass(frozen=True)
class ProviderRank:
    provider: Provider
    claims: int  # distinct claims reported: two reports on one claim count once
    policyholders: int


@dataclass(frozen=True)
class Workload:
    mine: int
    unassigned: int


def status_counts(
    *, session: Session, condition: ColumnElement[bool] | None = None
) -> list[StatusCount]:
    """Every status, in workflow order, with how many reports hold it (zeros included)."""
    stmt = select(Report.status, func.count()).group_by(Report.status)
    if condition is not None:
        stmt = stmt.where(condition)
    found: dict[Any, int] = {status: count for status, count in session.execute(stmt)}
    return [StatusCount(s, STATUS_LABELS[s], found.get(s, 0)) for s in ReportStatus]


def workload(*, session: Session, agent_id: int) -> Workload:
    """Reports assigned to this agent, and to nobody (every status: as the list counts them)."""
    count = select(func.count()).select_from(Report)
    return Workload(
        mine=session.scalar(count.where(Report.assigned_to_id == agent_id)) or 0,
        unassigned=session.scalar(count.where(Report.assigned_to_id.is_(None))) or 0,
    )


def _utc_hour(session: Session) -> ColumnElement[str]:
    """The UTC hour a report came in, as text (French days do not start at UTC midnight)."""
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", Report.created_at), "YYYY-MM-DD HH24")
    return func.strftime("%Y-%m-%d %H", Report.created_at)


def reports_per_day(*, session: Session, today: date, days: int, timezone: str) -> list[DayCount]:
    """Reports received on each of the last `days` days (French time), oldest first."""
    zone = ZoneInfo(timezone)
    first = today - timedelta(days=days - 1)
    since = datetime.combine(first, time.min, zone).astimezone(UTC)
    hour = _utc_hour(session).label("hour")
    stmt = select(hour, func.count()).where(Report.created_at >= since).group_by(hour)
    counts = {first + timedelta(days=n): 0 for n in range(days)}
    for bucket, count in session.execute(stmt):
        instant = datetime.strptime(bucket, "%Y-%m-%d %H").replace(tzinfo=UTC)
        day = instant.astimezone(zone).date()
        if day in counts:
            counts[day] += count
    busiest = max(counts.values(), default=0)
    return [DayCount(day, n, _bar(n, busiest)) for day, n in counts.items()]


def _bar(count: int, busiest: int) -> int:
    if count == 0 or busiest == 0:
        return 0
    return max(BAR_STEP, round(count * 100 / busiest / BAR_STEP) * BAR_STEP)


def top_providers(*, session: Session, limit: int = 10) -> list[ProviderRank]:
    """Providers reported by the most different people, then on the most claims.

    Counted on the reported claims, not the reports: duplicates (same claim) count once, and
    the reports' wide rows are never read (a claim's owner is the person who reported it).
    Reports whose personal data was erased no longer link a claim: they bring the counts they
    stood for (`purged_reporter_count`, `purged_claim_count`, set at purge).
    """
    live = (
        select(
            Claim.provider_id.label("provider_id"),
            func.count(distinct(Claim.id)).label("claims"),
            func.count(distinct(Claim.policyholder_id)).label("holders"),
        )
        .where(Claim.id.in_(select(Report.claim_id)))
        .group_by(Claim.provider_id)
    )
    purged = (
        select(
            Report.purged_provider_id,
            func.sum(Report.purged_claim_count),
            func.sum(Report.purged_reporter_count),
        )
        .where(Report.purged_provider_id.is_not(None))
        .group_by(Report.purged_provider_id)
    )
    both = union_all(live, purged).subquery()
    holders = func.sum(both.c.holders)
    claims = func.sum(both.c.claims)
    stmt = (
        select(both.c.provider_id, claims, holders)
        .group_by(both.c.provider_id)
        .order_by(desc(holders), desc(claims), both.c.provider_id)
        .limit(limit)
    )
    ranked = session.execute(stmt).all()
    providers = {
        p.id: p
        for p in session.scalars(select(Provider).where(Provider.id.in_([r[0] for r in ranked])))
    }
    return [
        ProviderRank(providers[pid], int(n), int(h)) for pid, n, h in ranked if pid in providers
    ]


@dataclass(frozen=True)
class AnomalyCount:
    anomaly_type: AnomalyType
    label: str
    count: int


@dataclass(frozen=True)
class ProviderSummary:
    provider: Provider
    reports: int
    policyholders: int
    claims: int
    amount_billed: Decimal
    amount_reimbursed: Decimal
    confirmed_reimbursed: Decimal
    anomalies: list[AnomalyCount]
    purged: int  # reports among them whose personal data was erased (no amounts)
    statuses: list[StatusCount]
    first_received: datetime | None
    last_received: datetime | None


def on_provider(provider_id: int) -> ColumnElement[bool]:
    """Reports on a claim this provider billed (or, once erased, that were)."""
    return or_(
        Report.claim_id.in_(select(Claim.id).where(Claim.provider_id == provider_id)),
        Report.purged_provider_id == provider_id,
    )


def provider_summary(*, session: Session, provider: Provider) -> ProviderSummary:
    condition = on_provider(provider.id)
    reports, holders, purged_holders, purged_claims, purged, first, last = session.execute(
        select(
            func.count(Report.id),
            func.count(distinct(Report.policyholder_id)),
            func.sum(Report.purged_reporter_count),
            func.sum(Report.purged_claim_count),
            func.count(Report.purged_at),
            func.min(Report.created_at),
            func.max(Report.created_at),
        ).where(condition)
    ).one()
    # Amounts come from the claims still linked: an erased report keeps no claim.
    reported = select(Report.claim_id).where(condition)
    claims, billed, reimbursed = session.execute(
        select(
            func.count(Claim.id), func.sum(Claim.amount_billed), func.sum(Claim.amount_reimbursed)
        ).where(Claim.id.in_(reported))
    ).one()
    confirmed = session.scalar(
        select(func.sum(Claim.amount_reimbursed)).where(
            Claim.id.in_(reported.where(Report.status == ReportStatus.CONFIRMED))
        )
    )
    by_type = dict(
        session.execute(
            select(Report.anomaly_type, func.count()).where(condition).group_by(Report.anomaly_type)
        ).all()
    )
    anomalies = [
        AnomalyCount(t, ANOMALY_LABELS[t], by_type[t]) for t in AnomalyType if by_type.get(t)
    ]
    return ProviderSummary(
        provider=provider,
        reports=reports,
        policyholders=holders + int(purged_holders or 0),
        claims=claims + int(purged_claims or 0),
        purged=purged,
        amount_billed=Decimal(billed or 0),
        amount_reimbursed=Decimal(reimbursed or 0),
        confirmed_reimbursed=Decimal(confirmed or 0),
        anomalies=anomalies,
        statuses=status_counts(session=session, condition=condition),
        first_received=first,
        last_received=last,
    )
