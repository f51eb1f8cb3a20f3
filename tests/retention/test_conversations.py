"""Conversations: whole, per sender, after the period; and what refers to their messages."""

from datetime import timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.accounts.models import StaffRole
from api.core.config import Settings
from api.core.db import utcnow
from api.events.models import ConversationEvent
from api.retention import conversations
from api.retention.models import RetentionRun
from api.training.inbox import message_key
from api.training.models import Outcome, TrainingDecision, TrainingEvent
from tests.factories import Factory
from tests.retention.support import TrackerStore, policy_for, run

NOW = utcnow()
DAYS = 180
CUTOFF = NOW - timedelta(days=DAYS)


def test_deleted_whole_one_day_after_the_period_kept_one_day_before(
    app: FastAPI, settings: Settings, tracker: TrackerStore
) -> None:
    tracker.conversation("assure-1-kept", last=CUTOFF + timedelta(days=1), events=4)
    tracker.conversation("assure-2-gone", last=CUTOFF - timedelta(days=1), events=5)
    # Began long ago, still going: its old events stay with the new ones.
    tracker.conversation("assure-3-long", last=CUTOFF - timedelta(days=90), events=3)
    tracker.conversation("assure-3-long", last=NOW, events=1)

    result = run(app.state.engine, policy_for(settings, tracker.url), NOW)

    assert tracker.counts() == {"assure-1-kept": 4, "assure-3-long": 4}
    tally = result.tallies["conversations"]
    assert (tally.done, tally.remaining) == (1, 0)
    assert tally.details["tracker_store_events"] == 5


def test_batches_and_cap_never_split_a_conversation(
    app: FastAPI, settings: Settings, tracker: TrackerStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("api.retention.batches.CONVERSATION_BATCH", 2)
    for n in range(7):
        tracker.conversation(f"anonyme-{n}", last=CUTOFF - timedelta(days=10 + n), events=3)
    policy = policy_for(settings, tracker.url, max_per_run=5)

    first = run(app.state.engine, policy, NOW)

    assert (first.tallies["conversations"].done, first.tallies["conversations"].remaining) == (5, 2)
    # The oldest went first, each with all its events.
    assert tracker.counts() == {"anonyme-0": 3, "anonyme-1": 3}
    second = run(app.state.engine, policy, NOW)
    assert (second.tallies["conversations"].done, second.tallies["conversations"].remaining) == (
        2,
        0,
    )
    assert tracker.counts() == {}


def test_a_conversation_resumed_since_it_was_listed_is_left_whole(
    tracker: TrackerStore,
) -> None:
    tracker.conversation("assure-4-back", last=CUTOFF - timedelta(days=3), events=3)
    store = conversations.tracker_store()
    with tracker.engine.connect() as connection:
        listed = conversations.expired_senders(
            connection=connection, store=store, cutoff=CUTOFF, limit=10
        )
    assert listed == ["assure-4-back"]
    tracker.conversation("assure-4-back", last=NOW, events=1)  # the person came back
    with tracker.engine.begin() as connection:
        gone = conversations.delete_conversations(
            connection=connection, store=store, senders=listed, cutoff=CUTOFF
        )
    assert gone == (0, 0)
    assert tracker.counts() == {"assure-4-back": 4}


def test_trainers_decisions_and_discarded_texts_follow_the_messages(
    app: FastAPI, settings: Settings, db: Session, factory: Factory, tracker: TrackerStore
) -> None:
    trainer = factory.staff(StaffRole.TRAINER)
    gone = tracker.conversation("assure-5-gone", last=CUTOFF - timedelta(days=1))
    kept = tracker.conversation("assure-6-kept", last=NOW - timedelta(days=1))
    gone_keys = [
        message_key("assure-5-gone", s, f"assure-5-gone {2 * n}") for n, s in enumerate(gone)
    ]
    kept_key = message_key("assure-6-kept", kept[0], "assure-6-kept 0")
    for key in [*gone_keys, kept_key]:
        db.add(
            TrainingDecision(message_key=key, outcome=Outcome.DISCARDED, decided_by_id=trainer.id)
        )
    old_text = TrainingEvent(
        actor_id=trainer.id,
        action="message_discarded",
        detail="Message écarté : je suis Claire Durand, 06 12 34 56 78",
        created_at=CUTOFF - timedelta(days=1),
    )
    new_text = TrainingEvent(
        actor_id=trainer.id,
        action="message_discarded",
        detail="Message écarté : bonjour",
        created_at=CUTOFF + timedelta(days=1),
    )
    other = TrainingEvent(
        actor_id=trainer.id,
        action="example_added",
        detail="Exemple ajouté",
        created_at=CUTOFF - timedelta(days=1),
    )
    db.add_all([old_text, new_text, other])
    db.commit()

    result = run(app.state.engine, policy_for(settings, tracker.url), NOW)

    db.commit()
    db.expire_all()
    assert set(db.scalars(select(TrainingDecision.message_key))) == {kept_key}
    assert result.details["training_decisions"] == len(gone_keys) == 2
    assert db.get_one(TrainingEvent, old_text.id).detail == conversations.ERASED_DISCARDED
    assert db.get_one(TrainingEvent, new_text.id).detail == "Message écarté : bonjour"
    assert db.get_one(TrainingEvent, other.id).detail == "Exemple ajouté"
    assert result.details["discarded_texts"] == 1


def test_the_api_copy_of_the_events_is_purged_alike(
    app: FastAPI, settings: Settings, tracker: TrackerStore, db: Session
) -> None:
    """The event consumer's copy (`conversation_event`) goes by the same rule, whole
    conversations at a time."""

    def event(sender: str, kind: str, days_ago: float) -> ConversationEvent:
        stamp = (NOW - timedelta(days=days_ago)).timestamp()
        return ConversationEvent(
            event_key=f"{sender}-{kind}-{days_ago}", sender_id=sender, type_name=kind,
            timestamp=stamp, data={},
        )  # fmt: skip

    db.add_all(
        [
            event("assure-7-gone", "user", DAYS + 2),
            event("assure-7-gone", "bot", DAYS + 1),
            event("assure-8-kept", "user", DAYS + 5),
            event("assure-8-kept", "user", DAYS - 1),
        ]
    )
    db.commit()
    tracker.conversation("assure-7-gone", last=CUTOFF - timedelta(days=1))

    result = run(app.state.engine, policy_for(settings, tracker.url), NOW)

    left = db.scalars(select(ConversationEvent.sender_id)).all()
    assert sorted(left) == ["assure-8-kept", "assure-8-kept"]
    assert result.details["api_copy_conversations"] == 1
    assert result.details["api_copy_events"] == 2
    assert result.details["api_copy_remaining"] == 0
    assert tracker.counts() == {}


def test_no_tracker_store_yet_is_not_an_error(
    app: FastAPI, settings: Settings, db: Session, missing_tracker: str
) -> None:
    result = run(app.state.engine, policy_for(settings, missing_tracker), NOW)

    assert result.errors == []
    assert result.tallies["conversations"].remaining == 0
    assert not Path(missing_tracker.removeprefix("sqlite:///")).exists()  # not created either
    assert db.scalars(select(RetentionRun)).one().error is None
