"""What the retention worker calls to purge `conversation_event` by whole conversations."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.events import service
from api.events.models import ConversationEvent
from api.events.records import build_record

DAY = 86_400.0
NOW = 1_800_000_000.0


def store(db: Session, sender: str, *ages_in_days: float) -> None:
    records = [
        build_record(
            sender, {"event": "action", "name": "action_listen", "timestamp": NOW - age * DAY}
        )
        for age in ages_in_days
    ]
    service.store_events(session=db, records=records)
    db.commit()


def test_only_conversations_whose_last_event_is_old_are_purged(db: Session) -> None:
    store(db, "assure-1-old", 400, 300, 200)
    store(db, "assure-2-old", 181)
    store(db, "assure-3-active", 400, 10)  # old events, but it went on: kept whole
    store(db, "assure-4-new", 1)
    before = NOW - 180 * DAY
    stale = service.stale_conversations(session=db, before=before, limit=10)
    assert stale == ["assure-1-old", "assure-2-old"]
    assert service.stale_conversations(session=db, before=before, limit=1) == ["assure-1-old"]
    assert service.delete_conversations(session=db, sender_ids=stale) == 4
    db.commit()
    left = db.execute(
        select(ConversationEvent.sender_id, func.count()).group_by(ConversationEvent.sender_id)
    ).all()
    assert sorted(left) == [("assure-3-active", 2), ("assure-4-new", 1)]
    assert service.stale_conversations(session=db, before=before, limit=10) == []
