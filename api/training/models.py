"""The trainers' workbench: training runs, their models, inbox decisions, the audit log."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from api.accounts.models import StaffUser
from api.core.db import Base, UTCDateTime, str_enum, utcnow


class RunState(StrEnum):
    QUEUED = "queued"
    TRAINING = "training"
    EVALUATING = "evaluating"
    DONE = "done"
    FAILED = "failed"


ACTIVE_RUN_STATES = (RunState.QUEUED, RunState.TRAINING, RunState.EVALUATING)


class ModelStatus(StrEnum):
    READY = "ready"  # trained and evaluated, never in service or taken out of it
    ACTIVE = "active"  # the one the Rasa server answers with
    RETIRED = "retired"  # was in service, replaced by another


class Outcome(StrEnum):
    CONFIRMED = "confirmed"
    RELABELLED = "relabelled"
    DISCARDED = "discarded"


class TrainingRun(Base):
    """One training job: queued by a trainer, leased by the worker, with its progress and log."""

    __tablename__ = "training_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[RunState] = mapped_column(str_enum(RunState, name="training_run_state"))
    # 1 while queued or running, NULL after: the unique constraint allows one active run.
    active_slot: Mapped[int | None] = mapped_column(Integer, unique=True)
    phase: Mapped[str] = mapped_column(String(200), default="")
    progress: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[str] = mapped_column(String(40), unique=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey(StaffUser.id))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    log_path: Mapped[str | None] = mapped_column(String(500))
    error: Mapped[str | None] = mapped_column(String(1000))
    # The worker carrying the run out, and when it last said so: any worker fails a run whose
    # heartbeat is stale (its worker died), never one whose worker is alive.
    worker_id: Mapped[str | None] = mapped_column(String(100))
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class TrainingModel(Base):
    """A model a run produced, with who trained and activated it and its evaluation."""

    __tablename__ = "training_model"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(40), unique=True)
    path: Mapped[str] = mapped_column(String(500))
    run_id: Mapped[int] = mapped_column(ForeignKey("training_run.id"), unique=True)
    status: Mapped[ModelStatus] = mapped_column(
        str_enum(ModelStatus, name="training_model_status", length=20), default=ModelStatus.READY
    )
    trained_by_id: Mapped[int] = mapped_column(ForeignKey(StaffUser.id))
    trained_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    activated_by_id: Mapped[int | None] = mapped_column(ForeignKey(StaffUser.id))
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The model file in service when this one was activated: what a rollback goes back to.
    replaced_path: Mapped[str | None] = mapped_column(String(500))
    # Compared with the model in service on the held-out set (see evaluation.py).
    evaluation: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    log_path: Mapped[str | None] = mapped_column(String(500))
    # Its file stored in the database, which the replicas pull (MODEL_DISTRIBUTION=pull), and
    # the stored file in service when it was activated there: what a rollback puts back.
    artifact_id: Mapped[int | None] = mapped_column(ForeignKey("model_artifact.id"))
    replaced_artifact_id: Mapped[int | None] = mapped_column(ForeignKey("model_artifact.id"))


class TrainingDecision(Base):
    """An inbox message a trainer handled: hidden from the inbox from then on."""

    __tablename__ = "training_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_key: Mapped[str] = mapped_column(String(64), unique=True)
    outcome: Mapped[Outcome] = mapped_column(str_enum(Outcome, name="training_outcome"))
    intent: Mapped[str | None] = mapped_column(String(100))
    decided_by_id: Mapped[int] = mapped_column(ForeignKey(StaffUser.id))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class TrainingEvent(Base):
    """The workbench's audit log: who changed what, and when."""

    __tablename__ = "training_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey(StaffUser.id), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    action: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(Text)


class ModelArtifact(Base):
    """A model file stored in the database, so any API process on any host can serve it."""

    __tablename__ = "model_artifact"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    # The name the replicas save it under (`filename` header), which `GET /status` reports.
    file_name: Mapped[str] = mapped_column(String(255))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ModelArtifactChunk(Base):
    """One slice of a stored model: written and read one at a time, so memory stays bounded."""

    __tablename__ = "model_artifact_chunk"

    artifact_id: Mapped[int] = mapped_column(
        ForeignKey("model_artifact.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class ModelServing(Base):
    """The stored model in service (one row): what every replica pulls."""

    __tablename__ = "model_serving"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    artifact_id: Mapped[int] = mapped_column(ForeignKey("model_artifact.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # NULL: put in service by `python -m api.training.publish`, not by a trainer.
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey(StaffUser.id))


class ModelReplica(Base):
    """A Rasa replica as its last pull told it: the model it runs, and when it was seen."""

    __tablename__ = "model_replica"

    name: Mapped[str] = mapped_column(String(63), primary_key=True)
    # Its If-None-Match: the ETag (sha256) of the model it runs, or a random id before any.
    fingerprint: Mapped[str | None] = mapped_column(String(100))
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The last model file it was sent, and when: loading it takes the replica a while.
    sent_sha256: Mapped[str | None] = mapped_column(String(64))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
