"""Caps on reports by one person about one provider, and the French answer when one is reached."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Self
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from api.claims.models import Claim
from api.core.config import Settings
from api.core.errors import TooManyRequests
from api.core.text import french_spacing
from api.reports.models import Report
from api.reports.workflow import OPEN_STATUSES
from contract.calendar import TIMEZONE

DAY = timedelta(hours=24)
WEEK = timedelta(days=7)


@dataclass(frozen=True)
class ReportLimits:
    """At most `daily` reports in any 24 hours and `weekly` in any 7 days, per person and
    provider; `timezone` is the one the policyholder reads the time it is possible again in."""

    daily: int
    weekly: int
    timezone: str = TIMEZONE

    @classmethod
    def from_settings(cls, settings: Settings) -> Self:
        return cls(settings.report_daily_limit, settings.report_weekly_limit, settings.timezone)


class ReportLimitReached(TooManyRequests):
    code = "report_limit"


def same_provider(
    policyholder_id: int, provider_id: int | None, provider_search: str
) -> ColumnElement[bool]:
    """The person's reports about this provider: on a claim it billed when a claim is attached,
    else without a claim and with the same name as typed (folded)."""
    if provider_id is not None:
        billed = select(Claim.id).where(
            Claim.policyholder_id == policyholder_id, Claim.provider_id == provider_id
        )
        return and_(Report.policyholder_id == policyholder_id, Report.claim_id.in_(billed))
    return and_(
        Report.policyholder_id == policyholder_id,
        Report.claim_id.is_(None),
        Report.provider_search == provider_search,
    )


def within_limits(
    reports: ColumnElement[bool], limits: ReportLimits, now: datetime
) -> ColumnElement[bool]:
    """True while the caps allow one more report (a condition of the filing's INSERT)."""

    def filed_since(start: datetime) -> ColumnElement[int]:
        counted = select(func.count()).select_from(Report)
        return counted.where(reports, Report.created_at > start).scalar_subquery()

    return and_(filed_since(now - DAY) < limits.daily, filed_since(now - WEEK) < limits.weekly)


def refusal(
    *, session: Session, reports: ColumnElement[bool], limits: ReportLimits, now: datetime
) -> ReportLimitReached | None:
    """Why the caps refused a filing: when it will be possible again, and which open report can
    be completed instead. None when the caps do not refuse it."""
    recent = list(
        session.scalars(
            select(Report)
            .where(reports, Report.created_at > now - WEEK)
            .order_by(Report.created_at.desc(), Report.id.desc())
        )
    )
    in_day = [report for report in recent if report.created_at > now - DAY]
    # Possible again when the oldest report that keeps the count at the limit leaves the window.
    blocked: list[tuple[datetime, int, str]] = []
    if len(in_day) >= limits.daily:
        blocked.append((in_day[limits.daily - 1].created_at + DAY, limits.daily, "day"))
    if len(recent) >= limits.weekly:
        blocked.append((recent[limits.weekly - 1].created_at + WEEK, limits.weekly, "week"))
    if not blocked:
        return None
    retry_at, limit, period = max(blocked)
    open_report = next((r for r in recent if r.status in OPEN_STATUSES), None)
    message = _explain(limit, period, retry_at, limits.timezone, open_report)
    return ReportLimitReached(
        message,
        extra={
            "limit": limit,
            "period": period,
            "retry_at": retry_at.isoformat().replace("+00:00", "Z"),
            "reference": open_report.reference if open_report else None,
        },
        headers={"Retry-After": str(max(1, int((retry_at - now).total_seconds()) + 1))},
    )


def _explain(
    limit: int, period: str, retry_at: datetime, timezone: str, open_report: Report | None
) -> str:
    minute = retry_at.replace(second=0, microsecond=0)
    local = (minute if minute == retry_at else minute + timedelta(minutes=1)).astimezone(
        ZoneInfo(timezone)
    )
    span = "24 heures" if period == "day" else "7 jours"
    said = (
        f"Vous avez déjà envoyé {limit} signalement{'s' if limit > 1 else ''} sur ce "
        f"professionnel de santé en {span} : c'est le maximum. Vous pourrez en envoyer "
        f"un nouveau à partir du {local:%d/%m/%Y} à {local:%H:%M}."
    )
    if open_report is not None:
        said += (
            " D'ici là, si vous avez des précisions à apporter, ajoutez un complément à votre "
            f"signalement {open_report.reference}, toujours en cours de traitement."
        )
    return french_spacing(said)
