"""The retention runs' audit trail, and the lease that lets one instance run at a time."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from api.core.db import Base, UTCDateTime, str_enum


class RunOutcome(StrEnum):
    RUNNING = "running"
    DONE = "done"  # every category went through (some may still have rows left: the cap)
    STOPPED = "stopped"  # asked to stop (SIGTERM) between two batches
    FAILED = "failed"  # a category raised an error; the others ran
    INTERRUPTED = "interrupted"  # its process died; noticed by the next run


class RetentionRun(Base):
    """One run: when, dry or not, how many rows each category erased and how many remain.

    No personal data: counts, and errors reduced to the category and the exception's type.
    """

    __tablename__ = "retention_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    dry_run: Mapped[bool] = mapped_column(Boolean)
    outcome: Mapped[RunOutcome] = mapped_column(
        str_enum(RunOutcome, name="retention_run_outcome", length=20)
    )
    # host:pid of the instance, to tell runs apart in the logs.
    instance: Mapped[str] = mapped_column(String(200))
    # Done (or, in a dry run, that would be done) and left for later runs, per category.
    reports_purged: Mapped[int] = mapped_column(Integer, default=0)
    reports_remaining: Mapped[int | None] = mapped_column(Integer)
    conversations_deleted: Mapped[int] = mapped_column(Integer, default=0)
    conversations_remaining: Mapped[int | None] = mapped_column(Integer)
    notifications_deleted: Mapped[int] = mapped_column(Integer, default=0)
    notifications_remaining: Mapped[int | None] = mapped_column(Integer)
    # Rows behind those counts: tracker-store events, the API's copy of them, trainers'
    # decisions on deleted messages, discarded messages' texts blanked in the trainers' log.
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(String(1000))


class RetentionLease(Base):
    """Who runs the retention now, until when (SQLite; PostgreSQL uses an advisory lock)."""

    __tablename__ = "retention_lease"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(200))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
