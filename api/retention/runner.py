"""One retention run: take the lock, open the audit row, purge each category, close the row.

The categories run one after the other and apart: an error in one (the tracker store down, for
instance) is recorded and the others still run. A dry run counts what would go (capped like a
real run) and changes nothing but its own audit row.
"""

import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import Engine, update
from sqlalchemy.orm import Session, sessionmaker

from api.core import tracker_store
from api.core.config import Settings
from api.core.db import begin_write, make_sessionmaker, utcnow
from api.core.tracker_store import tracker_engine
from api.retention import access, batches, conversations, locking, outbox, reports
from api.retention.batches import Context, LockLost, Stopped, Tally
from api.retention.models import RetentionRun, RunOutcome

log = logging.getLogger("api.retention")

CATEGORIES = ("reports", "conversations", "notifications", "access")


@dataclass(frozen=True)
class Policy:
    report_days: int
    conversation_days: int
    notification_days: int
    max_per_run: int
    tracker_store_url: str
    security_event_days: int = 365

    @classmethod
    def from_settings(cls, settings: Settings) -> "Policy":
        return cls(
            report_days=settings.report_retention_days,
            conversation_days=settings.conversation_retention_days,
            notification_days=settings.notification_retention_days,
            max_per_run=settings.retention_max_per_run,
            tracker_store_url=settings.tracker_store_url,
            security_event_days=settings.security_event_retention_days,
        )


@dataclass
class RunResult:
    dry_run: bool
    run_id: int | None = None  # None: another instance was running, nothing was done
    outcome: RunOutcome | None = None
    tallies: dict[str, Tally] = field(default_factory=lambda: {c: Tally() for c in CATEGORIES})
    errors: list[str] = field(default_factory=list)

    @property
    def skipped(self) -> bool:
        return self.run_id is None

    @property
    def details(self) -> dict[str, int]:
        merged: dict[str, int] = {}
        for tally in self.tallies.values():
            merged.update(tally.details)
        return merged


def instance_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:200]


def _open_run(factory: sessionmaker[Session], *, now: datetime, dry_run: bool) -> int:
    """Runs left `running` by a dead instance are marked interrupted (we hold the lock)."""
    with factory() as session:
        begin_write(session)
        session.execute(
            update(RetentionRun)
            .where(RetentionRun.outcome == RunOutcome.RUNNING)
            .values(outcome=RunOutcome.INTERRUPTED)
        )
        run = RetentionRun(
            started_at=now,
            dry_run=dry_run,
            outcome=RunOutcome.RUNNING,
            instance=instance_name(),
            reports_purged=0,
            conversations_deleted=0,
            notifications_deleted=0,
            details={},
        )
        session.add(run)
        session.commit()
        return run.id


def _close_run(factory: sessionmaker[Session], result: RunResult) -> None:
    tallies = result.tallies
    values: dict[str, object] = {
        "finished_at": utcnow(),
        "outcome": result.outcome,
        "reports_remaining": tallies["reports"].remaining,
        "conversations_remaining": tallies["conversations"].remaining,
        "notifications_remaining": tallies["notifications"].remaining,
        "details": result.details,
        "error": "; ".join(result.errors)[:1000] or None,
    }
    if result.dry_run:  # a real run counted batch by batch, with its changes
        values["reports_purged"] = tallies["reports"].done
        values["conversations_deleted"] = tallies["conversations"].done
        values["notifications_deleted"] = tallies["notifications"].done
    with factory() as session:
        begin_write(session)
        session.execute(update(RetentionRun).where(RetentionRun.id == result.run_id).values(values))
        session.commit()


def _count(factory: sessionmaker[Session], count: Callable[[Session], int]) -> int:
    with factory() as session:
        return count(session)


class CountExpired(Protocol):
    def __call__(self, *, session: Session, cutoff: datetime) -> int: ...


def _expired(
    ctx: Context,
    dry_run: bool,
    tally: Tally,
    purge: Callable[[Context, datetime, Tally], None],
    count_expired: CountExpired,
    cutoff: datetime,
) -> None:
    """Purge what is older than `cutoff` (not in a dry run), then count what is left: in a
    dry run, what one run would take (at most the cap) counts as done."""
    if not dry_run:
        purge(ctx, cutoff, tally)
    left = _count(ctx.factory, lambda s: count_expired(session=s, cutoff=cutoff))
    if dry_run:
        tally.done = min(left, ctx.cap)
        left -= tally.done
    tally.remaining = left


def _reports(ctx: Context, policy: Policy, dry_run: bool, tally: Tally) -> None:
    cutoff = ctx.now - timedelta(days=policy.report_days)
    _expired(ctx, dry_run, tally, batches.purge_reports, reports.count_expired, cutoff)


def _notifications(ctx: Context, policy: Policy, dry_run: bool, tally: Tally) -> None:
    cutoff = ctx.now - timedelta(days=policy.notification_days)
    _expired(ctx, dry_run, tally, batches.purge_notifications, outbox.count_expired, cutoff)


def _access(ctx: Context, policy: Policy, dry_run: bool, tally: Tally) -> None:
    """Ended sessions, quiet sign-in counters, old security events (one transaction)."""
    ctx.may_continue()
    with ctx.factory() as session:
        begin_write(session)
        counts = access.purge(
            session=session,
            now=ctx.now,
            security_days=policy.security_event_days,
            cap=ctx.cap,
            dry_run=dry_run,
        )
        session.commit()
    tally.done = sum(counts.values())
    tally.remaining = 0
    tally.details.update(counts)


def _store(
    ctx: Context,
    engine: Engine,
    store: conversations.ConversationStore,
    cutoff: datetime,
    dry_run: bool,
    details: dict[str, int],
) -> tuple[int, int]:
    """(conversations deleted, or that would be; conversations left) for one store."""
    store_tally = Tally()
    if not dry_run:
        batches.purge_store(
            ctx, engine, store, cutoff, store_tally, with_decisions=store.name == "tracker_store"
        )
    with engine.connect() as connection:
        left = conversations.count_expired(connection=connection, store=store, cutoff=cutoff)
    if dry_run:
        store_tally.done = min(left, ctx.cap)
        left -= store_tally.done
    details.update(store_tally.details)
    return store_tally.done, left


def _conversations(
    ctx: Context, policy: Policy, api_engine: Engine, dry_run: bool, tally: Tally
) -> None:
    cutoff = ctx.now - timedelta(days=policy.conversation_days)
    url = policy.tracker_store_url
    with tracker_engine(url) as engine:
        if tracker_store.exists(url, engine):
            tally.done, tally.remaining = _store(
                ctx, engine, conversations.tracker_store(), cutoff, dry_run, tally.details
            )
        else:  # Rasa never ran here: nothing to purge
            tally.remaining = 0
    if dry_run:
        texts = _count(
            ctx.factory, lambda s: conversations.count_discarded_texts(session=s, cutoff=cutoff)
        )
        tally.details["discarded_texts"] = min(texts, ctx.cap)
    else:
        batches.blank_discarded_texts(ctx, cutoff, tally)
    done, left = _store(ctx, api_engine, conversations.api_copy(), cutoff, dry_run, tally.details)
    tally.details["api_copy_conversations"] = done
    tally.details["api_copy_remaining"] = left


def run_retention(
    *,
    engine: Engine,
    policy: Policy,
    now: datetime,
    dry_run: bool = False,
    should_stop: Callable[[], bool] = lambda: False,
) -> RunResult:
    """One run, if no other instance is running (else a result with `skipped`)."""
    factory = make_sessionmaker(engine)
    result = RunResult(dry_run=dry_run)
    lock = locking.try_acquire(engine, factory, instance_name())
    if lock is None:
        log.info("retention: another instance is running, nothing done")
        return result
    try:
        result.run_id = _open_run(factory, now=now, dry_run=dry_run)

        def may_continue() -> None:
            if should_stop():
                raise Stopped
            if not lock.held():
                raise LockLost

        ctx = Context(factory, result.run_id, policy.max_per_run, now, may_continue)
        result.outcome = _run_categories(ctx, policy, engine, dry_run, result)
        _close_run(factory, result)
    finally:
        lock.release()
    _log(result)
    return result


def _run_categories(
    ctx: Context, policy: Policy, engine: Engine, dry_run: bool, result: RunResult
) -> RunOutcome:
    steps: dict[str, Callable[[Tally], None]] = {
        "reports": lambda t: _reports(ctx, policy, dry_run, t),
        "conversations": lambda t: _conversations(ctx, policy, engine, dry_run, t),
        "notifications": lambda t: _notifications(ctx, policy, dry_run, t),
        "access": lambda t: _access(ctx, policy, dry_run, t),
    }
    for name, step in steps.items():
        try:
            step(result.tallies[name])
        except Stopped:
            return RunOutcome.STOPPED
        except LockLost:
            result.errors.append(f"{name}: verrou perdu")
            return RunOutcome.FAILED
        except Exception as error:  # recorded without its message: it may quote data
            log.debug("retention: %s failed", name, exc_info=True)
            result.errors.append(f"{name}: {type(error).__name__}")
    return RunOutcome.FAILED if result.errors else RunOutcome.DONE


def _log(result: RunResult) -> None:
    parts = [
        f"{name} {tally.done}" + (f" ({tally.remaining} left)" if tally.remaining else "")
        for name, tally in result.tallies.items()
    ]
    log.info(
        "retention run %s%s: %s, %s%s",
        result.run_id,
        " (dry run)" if result.dry_run else "",
        result.outcome,
        ", ".join(parts),
        f", errors: {'; '.join(result.errors)}" if result.errors else "",
    )
