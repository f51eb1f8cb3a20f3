"""Bodies and counts shared by the filing tests."""

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.core.clock import local_today
from api.reports.models import Report, ReportEvent

TODAY = local_today("Europe/Paris")
URL = "/api/v1/reports"


def body(**overrides: object) -> dict[str, object]:
    values: dict[str, object] = {
        "care_date": (TODAY - timedelta(days=5)).isoformat(),
        "provider_name": "Dr Dupont",
        "description": "Le dentiste a facturé une couronne, je n'ai eu qu'un détartrage.",
        "anomaly_type": "billed_more_than_performed",
    }
    values.update(overrides)
    return values


def count(db: Session, what: type[Report] | type[ReportEvent] = Report) -> int:
    db.commit()  # ends the read transaction: the next query sees what the API committed
    db.expire_all()
    return db.scalar(select(func.count()).select_from(what)) or 0


def reports(db: Session) -> list[Report]:
    db.commit()  # ends the read transaction: the next query sees what the API committed
    db.expire_all()
    return list(db.scalars(select(Report).order_by(Report.id)))


def backdate(db: Session, reference: str, to: datetime) -> None:
    """Pretend a report was filed at `to` (to test the windows of the caps)."""
    report_id = int(reference.rsplit("-", 1)[1])
    report = db.get(Report, report_id)
    assert report is not None
    report.created_at = to
    db.commit()


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def post_all(
    base_url: str, requests: list[tuple[str, dict[str, str], Any]]
) -> list[httpx.Response]:
    """Send the requests at once, each from its own client (a real server, real concurrency)."""

    def send(request: tuple[str, dict[str, str], Any]) -> httpx.Response:
        url, headers, json = request
        with httpx.Client(base_url=base_url, timeout=30) as http:
            return http.post(url, headers=headers, json=json)

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return list(pool.map(send, requests))
