"""What signing in leaves behind, kept only as long as it serves: sessions once ended or
expired, sign-in counters once quiet, security events after `SECURITY_EVENT_RETENTION_DAYS`.

Sessions and counters hold no personal data but an account id (and keyed hashes); a month of
ended sessions answers « was this session still open then? », a quiet counter counts nothing.
Security events serve investigations (a year by default).
"""

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from api.accounts import audit, auth_sessions, throttle

ENDED_SESSIONS_DAYS = 30
QUIET_COUNTERS_DAYS = 1


def purge(
    *, session: Session, now: datetime, security_days: int, cap: int, dry_run: bool
) -> dict[str, int]:
    """Per kind of record, how many went (or would go), at most `cap` of each."""
    return {
        "sessions_deleted": auth_sessions.purge_sessions(
            session=session,
            before=now - timedelta(days=ENDED_SESSIONS_DAYS),
            cap=cap,
            dry_run=dry_run,
        ),
        "signin_counters_deleted": throttle.purge_idle_counters(
            session=session,
            before=now - timedelta(days=QUIET_COUNTERS_DAYS),
            cap=cap,
            dry_run=dry_run,
        ),
        "security_events_deleted": audit.purge(
            session=session, before=now - timedelta(days=security_days), cap=cap, dry_run=dry_run
        ),
    }
