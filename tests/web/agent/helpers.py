"""Reports built through the service (as the assistant files them), for the console's tests."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from api.claims.models import Claim
from api.core.clock import local_today, months_before
from api.reports import filing
from api.reports.limits import ReportLimits
from api.reports.models import Report
from api.reports.schemas import ReportCreate

TODAY = local_today("Europe/Paris")
# Data built for the console's tests is not about the caps (tests/api/test_report_limits.py is).
UNCAPPED = ReportLimits(daily=10_000, weekly=10_000)


def file(
    db: Session,
    policyholder_id: int,
    *,
    claim: Claim | None = None,
    created_at: datetime | None = None,
    via_assistant: bool = True,
    **fields: Any,
) -> Report:
    values: dict[str, Any] = {
        "care_date": claim.care_date if claim else TODAY - timedelta(days=3),
        "provider_name": "Dr Sophie Martin",
        "description": "Je n'ai jamais eu ce rendez-vous.",
        "anomaly_type": "not_performed",
        "claim_id": claim.id if claim else None,
    }
    values.update(fields)
    report, _created = filing.file_report(
        session=db,
        policyholder_id=policyholder_id,
        data=ReportCreate.model_validate(values),
        idempotency_key=None,
        today=TODAY,
        history_start=months_before(TODAY, 27),
        limits=UNCAPPED,
        via_assistant=via_assistant,
    )
    if created_at is not None:
        report.created_at = created_at
        for event in report.events:
            event.created_at = created_at
    db.commit()
    return report


def utc(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)
