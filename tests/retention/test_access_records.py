"""What signing in leaves behind goes with the retention run: sessions a month after they
ended, quiet sign-in counters after a day, security events after their period."""

from datetime import UTC, datetime, timedelta

from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.accounts import audit
from api.accounts.auth_sessions import AccountRef
from api.accounts.models import AccountKind, AuthSession, SecurityEvent, SecurityEventKind
from api.core.config import Settings
from tests.factories import Factory
from tests.retention.support import TrackerStore, policy_for, run

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


def _count(db: Session, model: type) -> int:
    db.rollback()  # a fresh snapshot: the run committed in its own transactions
    return int(db.scalar(select(func.count()).select_from(model)) or 0)


def test_ended_sessions_and_old_security_events_go_recent_ones_stay(
    app: FastAPI, settings: Settings, db: Session, factory: Factory, tracker: TrackerStore
) -> None:
    holder = factory.policyholder()
    factory.sign_in_session(holder)  # open, expires in an hour: kept
    ended = db.scalars(select(AuthSession)).one()
    old = AuthSession(
        id="x" * 64, conversation_key="y" * 64, account_kind=ended.account_kind,
        account_id=holder.id, origin=ended.origin, created_at=NOW - timedelta(days=60),
        expires_at=NOW - timedelta(days=59), ended_at=NOW - timedelta(days=59),
    )  # fmt: skip
    db.add(old)
    account = AccountRef(AccountKind.POLICYHOLDER, holder.id)
    for days in (400, 10):
        event = audit.record(session=db, kind=SecurityEventKind.PASSWORD_CHANGED, account=account)
        event.created_at = NOW - timedelta(days=days)
    db.commit()
    policy = policy_for(settings, tracker.url)

    counted = run(app.state.engine, policy, NOW, dry_run=True)
    assert counted.tallies["access"].details["sessions_deleted"] == 1
    assert counted.tallies["access"].details["security_events_deleted"] == 1
    assert (_count(db, AuthSession), _count(db, SecurityEvent)) == (2, 2)

    done = run(app.state.engine, policy, NOW)
    assert done.errors == []
    assert done.tallies["access"].done >= 2
    assert (_count(db, AuthSession), _count(db, SecurityEvent)) == (1, 1)
    kept = db.scalars(select(SecurityEvent)).one()
    assert kept.created_at > NOW - timedelta(days=365)
