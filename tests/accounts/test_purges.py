"""What the retention worker may delete: sessions long over, counters long quiet."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.accounts import auth_sessions
from api.accounts.auth_sessions import AccountRef
from api.accounts.models import AccountKind, AuthSession, EndReason, SessionOrigin, SigninThrottle
from api.accounts.throttle import purge_idle_counters

HOLDER = AccountRef(AccountKind.POLICYHOLDER, 1)


def test_sessions_over_before_the_date_are_purged(db: Session) -> None:
    now = datetime.now(UTC)
    day = 86400.0

    def opened(days_ago: float, seconds: int) -> str:
        return auth_sessions.open_session(
            session=db,
            account=HOLDER,
            origin=SessionOrigin.WEB,
            now=(now - timedelta(days=days_ago)).timestamp(),
            seconds=seconds,
        ).id

    expired = opened(3, 3600)
    ended = opened(0, 3600)
    auth_sessions.end_session(
        session=db, session_id=ended, reason=EndReason.SIGNED_OUT, now=now.timestamp() - 2 * day
    )
    still_open = opened(0, 3600)
    db.commit()
    assert auth_sessions.purge_sessions(session=db, before=now - timedelta(days=1)) == 2
    db.commit()
    left = db.scalars(select(AuthSession)).all()
    assert len(left) == 1
    assert auth_sessions.open_record(
        session=db, session_id=still_open, account=HOLDER, now=now.timestamp()
    )
    assert expired != still_open


def test_only_quiet_unlocked_counters_are_purged(db: Session) -> None:
    now = datetime.now(UTC)
    old, recent = now - timedelta(hours=1), now - timedelta(minutes=1)
    db.add_all(
        [
            SigninThrottle(key="account:quiet", failures=3, last_failure_at=old),
            SigninThrottle(key="account:recent", failures=3, last_failure_at=recent),
            SigninThrottle(
                key="account:locked",
                failures=9,
                last_failure_at=old,
                locked_until=now + timedelta(minutes=5),
            ),
        ]
    )
    db.commit()
    assert purge_idle_counters(session=db, before=now - timedelta(minutes=15)) == 1
    db.commit()
    assert sorted(db.scalars(select(SigninThrottle.key))) == ["account:locked", "account:recent"]
