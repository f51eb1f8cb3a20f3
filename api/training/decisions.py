"""What trainers decided about inbox messages: each message is handled once (confirmed,
relabelled or discarded), then leaves the inbox. Functions only flush."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.training.models import Outcome, TrainingDecision
from api.training.service import TrainingConflict


def handled_keys(*, session: Session) -> set[str]:
    return set(session.scalars(select(TrainingDecision.message_key)))


def is_handled(*, session: Session, message_key: str) -> bool:
    query = select(TrainingDecision.id).where(TrainingDecision.message_key == message_key)
    return session.scalar(query) is not None


def decide(
    *,
    session: Session,
    message_key: str,
    outcome: Outcome,
    intent: str | None,
    actor_id: int,
    now: datetime,
) -> TrainingDecision:
    """Mark an inbox message handled, once (the unique key settles a race)."""
    decision = TrainingDecision(
        message_key=message_key,
        outcome=outcome,
        intent=intent,
        decided_by_id=actor_id,
        decided_at=now,
    )
    try:
        with session.begin_nested():
            session.add(decision)
            session.flush()
    except IntegrityError:
        raise TrainingConflict("Ce message a déjà été traité.") from None
    return decision
