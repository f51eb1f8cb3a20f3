"""One retention run at a time, across processes and hosts.

PostgreSQL: a session-level advisory lock on a fixed key, held by a connection of its own for
the whole run; the server frees it when that connection ends, so a dead instance never leaves
it behind. SQLite: a lease row, taken by a conditional UPDATE only when free or expired, and
renewed between batches; a dead instance's lease runs out after LEASE_TTL.

`held()` is asked between batches: a lock that is lost (connection gone, lease taken over after
expiry) stops the run before its next batch.
"""

import logging
from datetime import timedelta
from typing import Any, Protocol, cast

from sqlalchemy import Connection, CursorResult, Engine, text, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from api.core.db import begin_write, utcnow
from api.retention.models import RetentionLease

log = logging.getLogger("api.retention")

# "vigilret" in ASCII: the same key for every instance, on every host.
ADVISORY_KEY = 0x76_69_67_69_6C_72_65_74
LEASE_NAME = "retention"
LEASE_TTL = timedelta(minutes=15)


class RunLock(Protocol):
    def held(self) -> bool:
        """Still ours (renews a lease); False for good once lost."""

    def release(self) -> None: ...


class AdvisoryLock:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._lost = False

    @classmethod
    def try_acquire(cls, engine: Engine) -> "AdvisoryLock | None":
        connection = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            taken = connection.scalar(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY}
            )
        except BaseException:
            connection.close()
            raise
        if not taken:
            connection.close()
            return None
        return cls(connection)

    def held(self) -> bool:
        if self._lost:
            return False
        try:
            # This very session still holds it (a reconnected session would not).
            count = self._connection.scalar(
                text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                    "AND pid = pg_backend_pid() AND objsubid = 1 "
                    "AND classid = (:key >> 32)::oid AND objid = (:key & 4294967295)::oid"
                ),
                {"key": ADVISORY_KEY},
            )
        except SQLAlchemyError:
            count = 0
        self._lost = not count
        return not self._lost

    def release(self) -> None:
        try:
            if not self._lost:
                self._connection.scalar(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY}
                )
        except SQLAlchemyError:
            # Closing the server session frees the lock: do not hand it back to the pool.
            self._connection.invalidate()
        finally:
            self._connection.close()


class LeaseLock:
    def __init__(self, factory: sessionmaker[Session], holder: str) -> None:
        self._factory = factory
        self._holder = holder
        self._lost = False

    @classmethod
    def try_acquire(cls, factory: sessionmaker[Session], holder: str) -> "LeaseLock | None":
        now = utcnow()
        with factory() as session:
            begin_write(session)
            dialect = session.get_bind().dialect.name
            insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
            session.execute(
                insert(RetentionLease)
                .values(name=LEASE_NAME, holder=None, expires_at=None)
                .on_conflict_do_nothing(index_elements=[RetentionLease.name])
            )
            free = (RetentionLease.holder.is_(None)) | (RetentionLease.expires_at < now)
            taken = _changed(
                session,
                update(RetentionLease)
                .where(RetentionLease.name == LEASE_NAME, free)
                .values(holder=holder, expires_at=now + LEASE_TTL),
            )
            session.commit()
        return cls(factory, holder) if taken else None

    def held(self) -> bool:
        if self._lost:
            return False
        try:
            with self._factory() as session:
                begin_write(session)
                renewed = _changed(session, self._mine().values(expires_at=utcnow() + LEASE_TTL))
                session.commit()
        except SQLAlchemyError:
            renewed = False
        self._lost = not renewed
        return renewed

    def release(self) -> None:
        if self._lost:
            return
        try:
            with self._factory() as session:
                begin_write(session)
                session.execute(self._mine().values(holder=None, expires_at=None))
                session.commit()
        except SQLAlchemyError as error:  # the lease runs out by itself
            log.warning("retention lease not released (%s)", type(error).__name__)

    def _mine(self) -> Any:
        return update(RetentionLease).where(
            RetentionLease.name == LEASE_NAME, RetentionLease.holder == self._holder
        )


def _changed(session: Session, statement: Any) -> bool:
    result = session.execute(statement.execution_options(synchronize_session=False))
    return cast(CursorResult[Any], result).rowcount == 1


def try_acquire(engine: Engine, factory: sessionmaker[Session], holder: str) -> RunLock | None:
    """The run lock for this database, or None when another instance holds it."""
    if engine.dialect.name == "postgresql":
        return AdvisoryLock.try_acquire(engine)
    return LeaseLock.try_acquire(factory, holder)
