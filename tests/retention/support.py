"""Helpers of the retention tests: a tracker store with Rasa's table, old data, one run."""

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Column, Engine, Float, Integer, MetaData, String, Table, Text, func, select
from sqlalchemy.orm import Session

from api.accounts.models import Policyholder
from api.claims.models import Claim
from api.core.config import Settings
from api.core.db import make_engine
from api.reports.models import Report, ReportEvent
from api.reports.workflow import EventKind
from api.retention.runner import Policy, RunResult, run_retention
from tests.web.agent.helpers import TODAY, file

# As Rasa 3.6's SQLTrackerStore creates it (rasa/core/tracker_store.py, SQLEvent).
rasa_metadata = MetaData()
EVENTS = Table(
    "events",
    rasa_metadata,
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255), nullable=False, index=True),
    Column("type_name", String(255), nullable=False),
    Column("timestamp", Float),
    Column("intent_name", String(255)),
    Column("action_name", String(255)),
    Column("data", Text),
)
SECRET_TOKEN = "eyJhbGciOiJIUzI1NiJ9.token-in-metadata"


@dataclass
class TrackerStore:
    """Rasa's tracker store, on a real database (SQLite file, or a PostgreSQL database)."""

    url: str
    engine: Engine

    def conversation(self, sender: str, last: datetime, events: int = 3) -> list[float]:
        """`events` events a minute apart, the last one at `last`; user messages' timestamps."""
        stamps = [(last - timedelta(minutes=events - 1 - n)).timestamp() for n in range(events)]
        rows = []
        for n, stamp in enumerate(stamps):
            kind = "user" if n % 2 == 0 else "bot"
            data: dict[str, Any] = {"event": kind, "timestamp": stamp, "text": f"{sender} {n}"}
            if kind == "user":
                data["metadata"] = {"access_token": SECRET_TOKEN}
            rows.append(
                {
                    "sender_id": sender,
                    "type_name": kind,
                    "timestamp": stamp,
                    "data": json.dumps(data),
                }
            )
        with self.engine.begin() as connection:
            connection.execute(EVENTS.insert(), rows)
        return [s for n, s in enumerate(stamps) if n % 2 == 0]

    def counts(self) -> dict[str, int]:
        """Events per conversation."""
        with self.engine.connect() as connection:
            stmt = select(EVENTS.c.sender_id, func.count()).group_by(EVENTS.c.sender_id)
            return dict(connection.execute(stmt).all())

    def empty(self) -> None:
        with self.engine.begin() as connection:
            connection.execute(EVENTS.delete())


def policy_for(settings: Settings, tracker_url: str, **changes: int) -> Policy:
    values: dict[str, Any] = {
        "report_days": settings.report_retention_days,
        "conversation_days": settings.conversation_retention_days,
        "notification_days": settings.notification_retention_days,
        "max_per_run": settings.retention_max_per_run,
        "tracker_store_url": tracker_url,
        "security_event_days": settings.security_event_retention_days,
    }
    values.update(changes)
    return Policy(**values)


def run(engine: Engine, policy: Policy, now: datetime, **options: Any) -> RunResult:
    return run_retention(engine=engine, policy=policy, now=now, **options)


def old_report(
    db: Session,
    holder: Policyholder,
    *,
    last_activity: datetime,
    claim: Claim | None = None,
    note: str | None = "L'assuré a rappelé : Mme Claire Durand, 06 12 34 56 78.",
    care_date: date | None = None,
) -> Report:
    """A report filed at `last_activity` minus a day, its last event at `last_activity`."""
    report = file(
        db,
        holder.id,
        claim=claim,
        care_date=TODAY - timedelta(days=3),  # within the history filing accepts
        description="Je n'ai jamais vu ce dentiste, je m'appelle Claire Durand.",
        transcript=[
            {
                "sender": "user",
                "text": "je suis Claire Durand",
                "timestamp": last_activity.isoformat(),
            }
        ],
    )
    filed = last_activity - timedelta(days=1)
    report.created_at = filed
    report.idempotency_key = f"key-{report.id}"
    report.care_date = care_date or (claim.care_date if claim else report.care_date)
    for event in report.events:
        event.created_at = filed
    report.events.append(ReportEvent(kind=EventKind.NOTE, note=note, created_at=last_activity))
    db.commit()
    return report


def make_engine_for(url: str) -> Engine:
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return make_engine(url)
