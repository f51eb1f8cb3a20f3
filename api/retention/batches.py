"""Each category's loop: bounded batches, each in its own transactions, up to the run's cap.

A batch's changes and the audit row's count are committed together (API database), so a crash
between batches leaves the finished batches done and counted, the others untouched. Before
each batch the loop checks the run lock and whether it was asked to stop.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, Engine, update
from sqlalchemy.orm import Session, sessionmaker

from api.core.db import WRITE_OPTION, begin_write
from api.retention import conversations, outbox, reports
from api.retention.models import RetentionRun

log = logging.getLogger("api.retention")

REPORT_BATCH = 200
CONVERSATION_BATCH = 100
NOTIFICATION_BATCH = 1000
TRAINING_LOG_BATCH = 1000


class LockLost(Exception):
    """The run lock was lost (connection gone, or lease expired and taken): stop at once."""


class Stopped(Exception):
    """Asked to stop (SIGTERM) between two batches."""


@dataclass
class Tally:
    done: int = 0
    remaining: int | None = None
    details: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, count: int) -> None:
        self.details[name] = self.details.get(name, 0) + count


@dataclass(frozen=True)
class Context:
    factory: sessionmaker[Session]
    run_id: int
    cap: int
    now: datetime
    may_continue: Callable[[], None]  # raises LockLost or Stopped


def _count_in_audit(session: Session, run_id: int, column: str, count: int) -> None:
    attribute = getattr(RetentionRun, column)
    session.execute(
        update(RetentionRun)
        .where(RetentionRun.id == run_id)
        .values({column: attribute + count})
        .execution_options(synchronize_session=False)
    )


def purge_reports(ctx: Context, cutoff: datetime, tally: Tally) -> None:
    while tally.done < ctx.cap:
        ctx.may_continue()
        with ctx.factory() as session:
            begin_write(session)
            limit = min(REPORT_BATCH, ctx.cap - tally.done)
            ids = reports.expired_ids(session=session, cutoff=cutoff, limit=limit)
            if not ids:
                return
            purged = reports.purge_reports(session=session, ids=ids, cutoff=cutoff, now=ctx.now)
            _count_in_audit(session, ctx.run_id, "reports_purged", purged)
            session.commit()
        tally.done += purged
        log.debug("retention: %d reports erased in this batch", purged)
        if purged == 0:  # every candidate changed meanwhile: the next run will see
            return


def purge_notifications(ctx: Context, cutoff: datetime, tally: Tally) -> None:
    while tally.done < ctx.cap:
        ctx.may_continue()
        with ctx.factory() as session:
            begin_write(session)
            limit = min(NOTIFICATION_BATCH, ctx.cap - tally.done)
            ids = outbox.expired_ids(session=session, cutoff=cutoff, limit=limit)
            if not ids:
                return
            deleted = outbox.delete_notifications(session=session, ids=ids, cutoff=cutoff)
            _count_in_audit(session, ctx.run_id, "notifications_deleted", deleted)
            session.commit()
        tally.done += deleted
        if deleted == 0:
            return


def _writer(connection: Connection) -> Connection:
    return connection.execution_options(**{WRITE_OPTION: True})


def purge_store(
    ctx: Context,
    engine: Engine,
    store: conversations.ConversationStore,
    cutoff: datetime,
    tally: Tally,
    *,
    with_decisions: bool,
) -> None:
    """Whole conversations of one store, a batch per transaction, up to the cap."""
    while tally.done < ctx.cap:
        ctx.may_continue()
        limit = min(CONVERSATION_BATCH, ctx.cap - tally.done)
        with engine.connect() as connection:
            senders = conversations.expired_senders(
                connection=connection, store=store, cutoff=cutoff, limit=limit
            )
            keys = (
                conversations.message_keys(connection=connection, senders=senders)
                if with_decisions and senders
                else []
            )
            connection.rollback()
        if not senders:
            return
        if keys:
            with ctx.factory() as session:
                begin_write(session)
                decisions = conversations.delete_decisions(session=session, keys=keys)
                session.commit()
            tally.add("training_decisions", decisions)
        with engine.connect() as connection:
            _writer(connection)
            count, events = conversations.delete_conversations(
                connection=connection, store=store, senders=senders, cutoff=cutoff
            )
            connection.commit()
        tally.done += count
        tally.add(f"{store.name}_events", events)
        with ctx.factory() as session:
            begin_write(session)
            if store.name == "tracker_store":
                _count_in_audit(session, ctx.run_id, "conversations_deleted", count)
            session.commit()
        if count == 0:
            return


def blank_discarded_texts(ctx: Context, cutoff: datetime, tally: Tally) -> None:
    done = 0
    while done < ctx.cap:
        ctx.may_continue()
        with ctx.factory() as session:
            begin_write(session)
            limit = min(TRAINING_LOG_BATCH, ctx.cap - done)
            blanked = conversations.blank_discarded_texts(
                session=session, cutoff=cutoff, limit=limit
            )
            session.commit()
        done += blanked
        tally.add("discarded_texts", blanked)
        if blanked < limit:
            return
