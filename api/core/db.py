"""Engine, declarative base and the one request-scoped session type."""

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import (
    ColumnElement,
    DateTime,
    Engine,
    Enum,
    MetaData,
    create_engine,
    delete,
    event,
    func,
    select,
)
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
WRITE_OPTION = "vigilance_write"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def make_engine(database_url: str, **kwargs: Any) -> Engine:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, **kwargs)
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False}, **kwargs)
    _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: Engine) -> None:
    """WAL, foreign keys, a busy timeout, and transactions SQLAlchemy controls.

    pysqlite's own transaction handling breaks savepoints and starts transactions late; we
    take it over. Writing requests begin IMMEDIATE so that concurrent writers wait for the
    lock instead of failing on a stale read snapshot.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in (
            "PRAGMA journal_mode=WAL",
            "PRAGMA synchronous=NORMAL",
            "PRAGMA foreign_keys=ON",
            "PRAGMA busy_timeout=15000",
        ):
            cursor.execute(pragma)
        cursor.close()

    # Writers of this process queue on a lock rather than in SQLite's busy handler, which polls
    # with sleeps of up to 100 ms; busy_timeout still covers other processes.
    writer_lock = threading.Lock()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        if connection.get_execution_options().get(WRITE_OPTION, False):
            writer_lock.acquire()
            connection.info[WRITE_OPTION] = True
            try:
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            except BaseException:
                _release_writer(connection)
                raise
        else:
            connection.exec_driver_sql("BEGIN")

    def _release_writer(connection: Any) -> None:
        if connection.info.pop(WRITE_OPTION, False):
            writer_lock.release()

    event.listen(engine, "commit", _release_writer)
    event.listen(engine, "rollback", _release_writer)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def begin_write(session: Session) -> None:
    """Start the session's transaction as a writer (takes SQLite's write lock up front)."""
    session.connection(execution_options={WRITE_OPTION: True})


def get_db(request: Request) -> Iterator[Session]:
    """One transaction per request: committed before the response is sent, else rolled back."""
    factory: sessionmaker[Session] = request.app.state.sessionmaker
    with factory() as session:
        if request.method not in SAFE_METHODS:
            begin_write(session)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


SessionDep = Annotated[Session, Depends(get_db, scope="function")]


def str_enum(enum_class: type[StrEnum], *, name: str, length: int = 40) -> Enum:
    """A portable enum column: VARCHAR plus a CHECK constraint, storing the members' values."""
    return Enum(
        enum_class,
        native_enum=False,
        length=length,
        create_constraint=True,
        name=name,
        values_callable=lambda members: [member.value for member in members],
    )


def delete_at_most(
    session: Session,
    key: Any,
    condition: ColumnElement[bool],
    *,
    cap: int,
    dry_run: bool = False,
) -> int:
    """Delete at most `cap` rows of `key`'s table matching `condition` (a dry run counts them);
    how many went, or would go. For purges that must stay bounded per run."""
    table = key.class_
    if dry_run:
        found = session.scalar(select(func.count()).select_from(table).where(condition)) or 0
        return min(int(found), cap)
    chosen = select(key).where(condition).limit(cap)
    result = session.execute(delete(table).where(key.in_(chosen)))
    return int(result.rowcount)  # type: ignore[attr-defined]
