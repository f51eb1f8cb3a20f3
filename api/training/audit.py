"""The workbench's audit log: one `training_event` row for each change a trainer makes (who,
when, what), written by the use case that makes it. Functions only flush."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.training.models import TrainingEvent


def record(*, session: Session, actor_id: int, action: str, detail: str, now: datetime) -> None:
    """One line of the audit log: who, when, what."""
    session.add(TrainingEvent(actor_id=actor_id, action=action, detail=detail, created_at=now))
    session.flush()


def recent_events(*, session: Session, limit: int = 200) -> list[TrainingEvent]:
    query = select(TrainingEvent).order_by(TrainingEvent.id.desc()).limit(limit)
    return list(session.scalars(query))
