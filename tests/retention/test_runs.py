"""A run as a whole: dry run, cap, one instance at a time, the audit, the worker's stop."""

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from api.core.config import Settings
from api.core.db import utcnow
from api.notifications.models import Notification, NotificationState
from api.reports.models import Report
from api.retention import locking, runner
from api.retention.__main__ import summary
from api.retention.models import RetentionLease, RetentionRun, RunOutcome
from tests.conftest import TEST_KEYS_ENV
from tests.factories import Factory
from tests.retention.support import TrackerStore, old_report, policy_for, run
from tests.retention.test_notifications import notice

ROOT = Path(__file__).resolve().parents[2]
NOW = utcnow()
OLD_REPORT = NOW - timedelta(days=1826 + 1)
OLD_TALK = NOW - timedelta(days=180 + 1)
OLD_MAIL = NOW - timedelta(days=90 + 1)


def expired_everywhere(db: Session, factory: Factory, tracker: TrackerStore, n: int) -> None:
    holder = factory.policyholder()
    for k in range(n):
        old_report(db, holder, last_activity=OLD_REPORT - timedelta(days=k))
        tracker.conversation(f"assure-{holder.id}-{k}", last=OLD_TALK - timedelta(days=k))
        notice(
            db, holder, NotificationState.SENT, created=OLD_MAIL, sent=OLD_MAIL, settled=OLD_MAIL
        )


def snapshot(db: Session, tracker: TrackerStore) -> tuple[Any, ...]:
    db.commit()
    db.expire_all()
    reports = [
        (r.id, r.description, r.policyholder_id, r.purged_at, [e.note for e in r.events])
        for r in db.scalars(select(Report).order_by(Report.id))
    ]
    mails = list(db.scalars(select(Notification.id).order_by(Notification.id)))
    db.commit()
    return reports, mails, tracker.counts()


def test_a_dry_run_counts_what_would_go_and_changes_nothing(
    app: FastAPI, settings: Settings, db: Session, factory: Factory, tracker: TrackerStore
) -> None:
    expired_everywhere(db, factory, tracker, 4)
    holder = factory.policyholder()
    old_report(db, holder, last_activity=NOW)  # not expired
    tracker.conversation("assure-live", last=NOW)
    before = snapshot(db, tracker)

    result = run(
        app.state.engine, policy_for(settings, tracker.url, max_per_run=3), NOW, dry_run=True
    )

    assert snapshot(db, tracker) == before
    for name in ("reports", "conversations", "notifications"):
        assert (result.tallies[name].done, result.tallies[name].remaining) == (3, 1), name
    audit = db.scalars(select(RetentionRun)).one()
    assert audit.dry_run and audit.outcome == RunOutcome.DONE
    assert (audit.reports_purged, audit.reports_remaining) == (3, 1)
    assert (audit.conversations_deleted, audit.conversations_remaining) == (3, 1)
    assert (audit.notifications_deleted, audit.notifications_remaining) == (3, 1)
    assert "Simulation" in summary(result) and "3 signalements à anonymiser" in summary(result)


def test_the_cap_leaves_the_rest_for_the_next_run_and_the_audit_says_so(
    app: FastAPI,
    settings: Settings,
    db: Session,
    factory: Factory,
    tracker: TrackerStore,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("api.retention.batches.REPORT_BATCH", 2)
    monkeypatch.setattr("api.retention.batches.NOTIFICATION_BATCH", 2)
    expired_everywhere(db, factory, tracker, 5)
    policy = policy_for(settings, tracker.url, max_per_run=3)

    first = run(app.state.engine, policy, NOW)
    second = run(app.state.engine, policy, NOW)

    db.commit()
    runs = list(db.scalars(select(RetentionRun).order_by(RetentionRun.id)))
    assert [(r.reports_purged, r.reports_remaining) for r in runs] == [(3, 2), (2, 0)]
    assert [(r.conversations_deleted, r.conversations_remaining) for r in runs] == [(3, 2), (2, 0)]
    assert [(r.notifications_deleted, r.notifications_remaining) for r in runs] == [(3, 2), (2, 0)]
    for audit in runs:
        assert audit.outcome == RunOutcome.DONE and not audit.dry_run and audit.error is None
        assert audit.finished_at is not None and audit.started_at <= audit.finished_at
        assert audit.details["tracker_store_events"] == 3 * audit.conversations_deleted
    assert first.tallies["reports"].remaining == 2 and second.tallies["reports"].remaining == 0
    assert "2 en attente du prochain passage" in summary(first)
    assert snapshot(db, tracker)[1:] == ([], {})


def _cli(settings: Settings, tracker: TrackerStore, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "TRACKER_STORE_URL": tracker.url,
        **TEST_KEYS_ENV,
        "DEMO": "0",
    }
    return subprocess.run(
        [sys.executable, "-m", "api.retention", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_second_instance_finds_the_lock_taken_and_does_nothing(
    app: FastAPI,
    settings: Settings,
    db: Session,
    factory: Factory,
    tracker: TrackerStore,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    expired_everywhere(db, factory, tracker, 2)
    holding, go_on = threading.Event(), threading.Event()
    real_reports = runner._reports

    def slow_reports(*args: Any) -> None:
        if threading.current_thread().name == "first":
            holding.set()
            assert go_on.wait(60)
        real_reports(*args)

    monkeypatch.setattr(runner, "_reports", slow_reports)
    policy = policy_for(settings, tracker.url)
    results: dict[str, runner.RunResult] = {}

    def start(name: str) -> threading.Thread:
        thread = threading.Thread(
            target=lambda: results.__setitem__(name, run(app.state.engine, policy, NOW)), name=name
        )
        thread.start()
        return thread

    first = start("first")
    assert holding.wait(30)  # the first instance holds the lock, mid-run
    before = snapshot(db, tracker)
    start("second").join(30)
    other_process = _cli(settings, tracker, "run")
    assert snapshot(db, tracker) == before
    go_on.set()
    first.join(30)

    assert results["second"].skipped and results["second"].run_id is None
    assert other_process.returncode == 3, other_process.stderr
    assert "Une autre purge est en cours" in other_process.stdout
    assert results["first"].tallies["reports"].done == 2
    db.commit()
    assert [r.id for r in db.scalars(select(RetentionRun))] == [results["first"].run_id]
    # Released at the end: the next run goes ahead.
    assert not run(app.state.engine, policy, NOW).skipped


def test_the_command_line_runs_once_and_dry_runs(
    settings: Settings, db: Session, factory: Factory, tracker: TrackerStore
) -> None:
    expired_everywhere(db, factory, tracker, 1)
    dry = _cli(settings, tracker, "run", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "1 signalements à anonymiser" in dry.stdout
    real = _cli(settings, tracker, "run")
    assert real.returncode == 0, real.stderr
    assert "1 signalements anonymisés" in real.stdout
    assert "retention run" in real.stderr  # the log line
    history = _cli(settings, tracker, "history")
    assert history.returncode == 0 and "simulation" in history.stdout
    db.commit()
    assert [r.dry_run for r in db.scalars(select(RetentionRun).order_by(RetentionRun.id))] == [
        True,
        False,
    ]


def test_asked_to_stop_it_stops_before_the_next_batch_and_says_so(
    app: FastAPI, settings: Settings, db: Session, factory: Factory, tracker: TrackerStore
) -> None:
    expired_everywhere(db, factory, tracker, 2)
    before = snapshot(db, tracker)

    result = run(app.state.engine, policy_for(settings, tracker.url), NOW, should_stop=lambda: True)

    assert result.outcome == RunOutcome.STOPPED
    assert snapshot(db, tracker) == before
    db.commit()
    audit = db.scalars(select(RetentionRun)).one()
    assert audit.outcome == RunOutcome.STOPPED and audit.finished_at is not None


def test_an_error_in_one_category_is_recorded_and_the_others_run(
    app: FastAPI, settings: Settings, db: Session, factory: Factory, tracker: TrackerStore
) -> None:
    expired_everywhere(db, factory, tracker, 1)
    broken = "postgresql://nobody@127.0.0.1:1/nowhere"  # nothing listens on port 1

    result = run(app.state.engine, policy_for(settings, broken), NOW)

    assert result.outcome == RunOutcome.FAILED
    assert result.tallies["reports"].done == 1 and result.tallies["notifications"].done == 1
    db.commit()
    audit = db.scalars(select(RetentionRun)).one()
    assert audit.error == "conversations: OperationalError"  # no message: it could quote data
    assert audit.finished_at is not None and audit.conversations_remaining is None


def test_a_lease_left_by_a_dead_instance_expires_and_a_lost_one_stops_the_run(
    app: FastAPI, db: Session
) -> None:
    factory = app.state.sessionmaker
    dead = locking.LeaseLock.try_acquire(factory, "host-a:1")
    assert dead is not None
    assert locking.LeaseLock.try_acquire(factory, "host-b:2") is None
    db.execute(update(RetentionLease).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.commit()
    alive = locking.LeaseLock.try_acquire(factory, "host-b:2")
    assert alive is not None and alive.held()
    assert not dead.held()  # the late instance learns it lost the lease, and stops
    dead.release()  # does not free the new holder's lease
    assert locking.LeaseLock.try_acquire(factory, "host-c:3") is None
    alive.release()
    assert locking.LeaseLock.try_acquire(factory, "host-c:3") is not None


@pytest.mark.skipif(os.environ.get("TEST_DATABASE") != "postgresql", reason="advisory lock")
def test_the_advisory_lock_is_per_session_and_freed_with_it(app: FastAPI) -> None:
    engine = app.state.engine
    first = locking.AdvisoryLock.try_acquire(engine)
    assert first is not None and first.held()
    assert locking.AdvisoryLock.try_acquire(engine) is None
    first._connection.invalidate()  # the connection dies: the server frees the lock
    assert not first.held()
    deadline = time.monotonic() + 10
    while (second := locking.AdvisoryLock.try_acquire(engine)) is None:
        assert time.monotonic() < deadline, "the lock outlived its connection"
        time.sleep(0.05)  # the server's backend notices the closed socket
    assert second.held() and not first.held()
    second.release()


def test_the_worker_runs_then_stops_cleanly_on_sigterm(
    settings: Settings, db: Session, factory: Factory, tracker: TrackerStore
) -> None:
    expired_everywhere(db, factory, tracker, 1)
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "TRACKER_STORE_URL": tracker.url,
        **TEST_KEYS_ENV,
        "DEMO": "0",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "api.retention.worker"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            db.commit()
            finished = db.scalars(select(RetentionRun.finished_at)).first()
            if finished is not None:
                break
            time.sleep(0.1)
        else:
            pytest.fail("the worker did not finish a run")
        worker.send_signal(signal.SIGTERM)
        _, err = worker.communicate(timeout=10)
    finally:
        worker.kill()
    assert worker.returncode == 0, err
    assert "retention worker stopped" in err
    db.commit()
    assert db.scalars(select(RetentionRun)).one().reports_purged == 1
