"""Sign-in throttling: a growing temporary lock per account and per address.

Each attempt is counted *before* its password is checked, atomically with the lock check, so
concurrent attempts cannot all slip in under the threshold; a success then clears the
account's counter and takes its count back from the address's. Rule, for one counter: from the
`threshold`-th failure with no pause longer than `window`, the counter is locked for
`first_lock`, doubled at each further failure, up to `max_lock`; while locked nothing is
counted and no password is checked.

Two backends with the same semantics: the database (`DatabaseThrottle`, in the request's
transaction: the counter's row stays locked until the attempt is decided) and Redis
(`api.accounts.throttle_redis`, one Lua script per operation) for several API hosts.
"""

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy import and_, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from api.accounts.auth_sessions import AccountRef
from api.accounts.models import AccountKind, SigninThrottle, ThrottleScope
from api.core.config import Settings
from api.core.db import delete_at_most
from api.core.security import keyed_hash
from api.core.text import fold

# Past this many doublings the lock is at its ceiling anyway (and 2**n stays small).
MAX_DOUBLINGS = 30
MAX_LISTED = 500
SCOPES = frozenset(scope.value for scope in ThrottleScope)


@dataclass(frozen=True)
class Rule:
    threshold: int
    window_s: float
    first_lock_s: float
    max_lock_s: float

    def lock_for(self, failures: int) -> float:
        doublings = min(failures - self.threshold, MAX_DOUBLINGS)
        return float(min(self.first_lock_s * 2**doublings, self.max_lock_s))


@dataclass(frozen=True)
class Rules:
    account: Rule
    address: Rule

    @classmethod
    def from_settings(cls, settings: Settings) -> "Rules":
        def rule(threshold: int) -> Rule:
            return Rule(
                threshold=threshold,
                window_s=settings.signin_window_minutes * 60.0,
                first_lock_s=float(settings.signin_lock_seconds),
                max_lock_s=settings.signin_max_lock_minutes * 60.0,
            )

        return cls(rule(settings.signin_account_failures), rule(settings.signin_address_failures))

    def for_scope(self, scope: ThrottleScope) -> Rule:
        return self.account if scope is ThrottleScope.ACCOUNT else self.address


@dataclass(frozen=True)
class Subject:
    """One counter: an account (the folded username) or an address, by keyed hash."""

    scope: ThrottleScope
    digest: str

    @property
    def key(self) -> str:
        return f"{self.scope.value}:{self.digest}"

    @classmethod
    def from_key(cls, key: str) -> "Subject | None":
        scope, _, digest = key.partition(":")
        if scope not in SCOPES or not digest or len(digest) > 64:
            return None
        return cls(ThrottleScope(scope), digest)


def account_subject(username: str, *, secret: str) -> Subject:
    digest = keyed_hash(fold(username), secret=secret, purpose="signin-account")
    return Subject(ThrottleScope.ACCOUNT, digest)


def address_subject(address: str, *, secret: str) -> Subject:
    digest = keyed_hash(address.strip().lower(), secret=secret, purpose="signin-address")
    return Subject(ThrottleScope.ADDRESS, digest)


@dataclass(frozen=True)
class Counter:
    failures: int = 0
    last_at: float | None = None
    locked_until: float | None = None


@dataclass(frozen=True)
class Counted:
    """The outcome of counting one attempt."""

    allowed: bool
    failures: int
    # Refused: the lock in force. Allowed: the lock this attempt started, if any.
    locked_until: float | None

    def retry_after(self, now: float) -> int:
        return max(1, math.ceil((self.locked_until or now) - now))


@dataclass(frozen=True)
class Lock:
    subject: Subject
    failures: int
    locked_until: float
    account: AccountRef | None


def count_attempt(counter: Counter, *, rule: Rule, now: float) -> tuple[Counter, Counted]:
    """The rule itself (the Redis script applies the same, step by step)."""
    if counter.locked_until is not None and counter.locked_until > now:
        return counter, Counted(False, counter.failures, counter.locked_until)
    moments = (counter.last_at, counter.locked_until)
    quiet_since = max((t for t in moments if t is not None), default=-math.inf)
    failures = 0 if now - quiet_since > rule.window_s else counter.failures
    failures += 1
    started = now + rule.lock_for(failures) if failures >= rule.threshold else None
    locked = started if started is not None else counter.locked_until
    return Counter(failures, now, locked), Counted(True, failures, started)


def take_back(counter: Counter, counted: Counted) -> Counter:
    """Undo one counted attempt that turned out not to be a failure."""
    locked = counter.locked_until
    if counted.locked_until is not None and locked == counted.locked_until:
        locked = None
    return replace(counter, failures=max(0, counter.failures - 1), locked_until=locked)


class Throttle(ABC):
    def __init__(self, rules: Rules) -> None:
        self.rules = rules

    @abstractmethod
    def count(self, subject: Subject, *, account: AccountRef | None, now: float) -> Counted:
        """Count one attempt, unless the counter is locked (then refuse it)."""

    @abstractmethod
    def take_back(self, subject: Subject, counted: Counted) -> None:
        """The attempt counted was not a failure (a success, or refused by the other counter)."""

    @abstractmethod
    def clear(self, subject: Subject, *, now: float) -> Lock | None:
        """Forget the counter (a success, or an admin's unlock); the lock it held, if any."""

    @abstractmethod
    def locks(self, *, now: float) -> list[Lock]:
        """The counters locked now, the longest lock first."""


def _timestamp(value: datetime | None) -> float | None:
    return value.timestamp() if value is not None else None


def _datetime(value: float | None) -> datetime | None:
    return datetime.fromtimestamp(value, UTC) if value is not None else None


def _account(kind: AccountKind | None, account_id: int | None) -> AccountRef | None:
    return AccountRef(kind, account_id) if kind is not None and account_id is not None else None


class DatabaseThrottle(Throttle):
    """Counters in `signin_throttle`, read and written in the request's transaction.

    The upsert that reads a counter locks its row (PostgreSQL; SQLite's write lock is held by
    the whole request) until the transaction ends: attempts on one counter are decided one
    after the other, so none is lost or counted twice."""

    def __init__(self, session: Session, rules: Rules) -> None:
        super().__init__(rules)
        self.session = session

    def _locked_row(self, subject: Subject, account: AccountRef | None) -> Counter:
        dialect = self.session.get_bind().dialect.name
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        values: dict[str, object] = {"key": subject.key, "failures": 0}
        # A no-op update when nothing is to change: it still locks the row.
        changes: dict[str, object] = {"failures": SigninThrottle.failures}
        if account is not None:
            values.update(account_kind=account.kind, account_id=account.id)
            changes.update(account_kind=account.kind, account_id=account.id)
        stmt = (
            insert(SigninThrottle)
            .values(**values)
            .on_conflict_do_update(index_elements=[SigninThrottle.key], set_=changes)
            .returning(
                SigninThrottle.failures, SigninThrottle.last_failure_at, SigninThrottle.locked_until
            )
        )
        failures, last_at, locked = self.session.execute(stmt).one()
        return Counter(failures, _timestamp(last_at), _timestamp(locked))

    def _store(self, subject: Subject, counter: Counter) -> None:
        self.session.execute(
            update(SigninThrottle)
            .where(SigninThrottle.key == subject.key)
            .values(
                failures=counter.failures,
                last_failure_at=_datetime(counter.last_at),
                locked_until=_datetime(counter.locked_until),
            )
            .execution_options(synchronize_session=False)
        )

    def count(self, subject: Subject, *, account: AccountRef | None, now: float) -> Counted:
        counter = self._locked_row(subject, account)
        updated, counted = count_attempt(counter, rule=self.rules.for_scope(subject.scope), now=now)
        if counted.allowed:
            self._store(subject, updated)
        return counted

    def take_back(self, subject: Subject, counted: Counted) -> None:
        counter = self._locked_row(subject, None)
        self._store(subject, take_back(counter, counted))

    def clear(self, subject: Subject, *, now: float) -> Lock | None:
        row = self.session.get(SigninThrottle, subject.key, with_for_update=True)
        if row is None:
            return None
        lock = self._lock(row, now)
        self.session.delete(row)
        self.session.flush()
        return lock

    def locks(self, *, now: float) -> list[Lock]:
        stmt = (
            select(SigninThrottle)
            .where(SigninThrottle.locked_until > _datetime(now))
            .order_by(SigninThrottle.locked_until.desc())
            .limit(MAX_LISTED)
        )
        rows = self.session.scalars(stmt)
        return [lock for row in rows if (lock := self._lock(row, now)) is not None]

    @staticmethod
    def _lock(row: SigninThrottle, now: float) -> Lock | None:
        subject = Subject.from_key(row.key)
        until = _timestamp(row.locked_until)
        if subject is None or until is None or until <= now:
            return None
        return Lock(subject, row.failures, until, _account(row.account_kind, row.account_id))


def purge_idle_counters(
    *, session: Session, before: datetime, cap: int = 100_000, dry_run: bool = False
) -> int:
    """Delete the database's counters with no failure and no lock since `before`, at most
    `cap` (for the retention worker: a counter quiet for longer than the window counts nothing
    anyway; a dry run counts them)."""
    quiet = and_(
        or_(SigninThrottle.last_failure_at.is_(None), SigninThrottle.last_failure_at < before),
        or_(SigninThrottle.locked_until.is_(None), SigninThrottle.locked_until < before),
    )
    return delete_at_most(session, SigninThrottle.key, quiet, cap=cap, dry_run=dry_run)
