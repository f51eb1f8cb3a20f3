"""Training runs: asked for by a trainer (one at a time), then taken, advanced and finished by
the worker, which stores the model it produced.

Keyword-only functions that only flush; the caller's transaction commits.
"""

from datetime import datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import CursorResult, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.core.db import utcnow
from api.core.errors import Conflict
from api.training import audit
from api.training.models import (
    ACTIVE_RUN_STATES,
    ModelStatus,
    RunState,
    TrainingModel,
    TrainingRun,
)

ERROR_MAX = 1000


class TrainingConflict(Conflict):
    """The action cannot happen now; the message is for the trainer."""

    code = "training_conflict"


def queue_run(*, session: Session, actor_id: int, now: datetime) -> TrainingRun:
    """Ask for a training; refused while another is queued or running."""
    busy = TrainingConflict("Un entraînement est déjà en cours : attendez qu'il se termine.")
    if current_run(session=session) is not None:
        raise busy
    run = TrainingRun(
        state=RunState.QUEUED,
        active_slot=1,
        phase="En attente",
        progress=0,
        version=f"v{now:%Y%m%d-%H%M%S}",
        requested_by_id=actor_id,
        requested_at=now,
    )
    try:
        with session.begin_nested():
            session.add(run)
            session.flush()
    except IntegrityError:
        raise busy from None
    return run


def request_training(*, session: Session, actor_id: int) -> TrainingRun:
    """A trainer asks for a training: the run is queued for the worker and logged."""
    now = utcnow()
    run = queue_run(session=session, actor_id=actor_id, now=now)
    detail = f"Entraînement du modèle {run.version} demandé."
    audit.record(
        session=session, actor_id=actor_id, action="training_requested", detail=detail, now=now
    )
    return run


def current_run(*, session: Session) -> TrainingRun | None:
    query = select(TrainingRun).where(TrainingRun.state.in_(ACTIVE_RUN_STATES))
    return session.scalars(query.limit(1)).first()


def recent_runs(*, session: Session, limit: int = 20) -> list[TrainingRun]:
    return list(session.scalars(select(TrainingRun).order_by(TrainingRun.id.desc()).limit(limit)))


RUNNING_STATES = (RunState.TRAINING, RunState.EVALUATING)


def claim_run(
    *, session: Session, now: datetime, runs_dir: Path, worker_id: str
) -> TrainingRun | None:
    """Take the queued run for this worker (a conditional update: of two workers, one wins);
    its log goes to `runs_dir/<version>/train.log`."""
    run = session.scalars(
        select(TrainingRun).where(TrainingRun.state == RunState.QUEUED).limit(1)
    ).first()
    if run is None:
        return None
    log_path = str(runs_dir / run.version / "train.log")
    taken = _changed(
        session,
        update(TrainingRun)
        .where(TrainingRun.id == run.id, TrainingRun.state == RunState.QUEUED)
        .values(
            state=RunState.TRAINING,
            started_at=now,
            log_path=log_path,
            phase="Démarrage",
            worker_id=worker_id,
            heartbeat_at=now,
        ),
    )
    if not taken:
        return None
    session.refresh(run)
    return run


def _held_by(run_id: int, worker_id: str | None) -> tuple[Any, ...]:
    """The run, if still running for `worker_id` (any worker when None)."""
    held: tuple[Any, ...] = (TrainingRun.id == run_id,)
    if worker_id is not None:
        held += (TrainingRun.worker_id == worker_id, TrainingRun.state.in_(RUNNING_STATES))
    return held


def beat(*, session: Session, run_id: int, worker_id: str, now: datetime) -> bool:
    """The worker is alive and still holds the run; False if another worker failed it."""
    return bool(
        _changed(
            session,
            update(TrainingRun).where(*_held_by(run_id, worker_id)).values(heartbeat_at=now),
        )
    )


def set_progress(
    *,
    session: Session,
    run_id: int,
    phase: str,
    progress: int,
    state: RunState | None = None,
    worker_id: str | None = None,
    now: datetime | None = None,
) -> bool:
    """Record where the run is (only by the worker holding it, when `worker_id` is given)."""
    values: dict[str, Any] = {"phase": phase[:200]}
    if progress >= 0:
        values["progress"] = min(progress, 100)
    if state is not None:
        values["state"] = state
    if now is not None:
        values["heartbeat_at"] = now
    statement = update(TrainingRun).where(*_held_by(run_id, worker_id)).values(values)
    changed = _changed(session, statement)
    session.flush()
    return bool(changed)


def fail_run(
    *, session: Session, run_id: int, error: str, now: datetime, worker_id: str | None = None
) -> bool:
    """The run failed with its reason (only by the worker holding it, when given)."""
    changed = _changed(
        session,
        update(TrainingRun)
        .where(*_held_by(run_id, worker_id))
        .values(
            state=RunState.FAILED,
            active_slot=None,
            finished_at=now,
            error=error[:ERROR_MAX],
            phase="Échec",
        ),
    )
    session.flush()
    return bool(changed)


def interrupt_stale_runs(*, session: Session, now: datetime, stale_before: datetime) -> int:
    """Runs whose worker died (no heartbeat since `stale_before`): failed, so that training
    can start again. A run whose worker is alive is left alone, whichever worker asks."""
    return _changed(
        session,
        update(TrainingRun)
        .where(
            TrainingRun.state.in_(RUNNING_STATES),
            or_(TrainingRun.heartbeat_at.is_(None), TrainingRun.heartbeat_at < stale_before),
        )
        .values(
            state=RunState.FAILED,
            active_slot=None,
            finished_at=now,
            error="Entraînement interrompu (le processus d'entraînement s'est arrêté).",
            phase="Échec",
        ),
    )


def still_held(*, session: Session, run_id: int, worker_id: str) -> TrainingRun | None:
    """The run locked for its last update, if `worker_id` still holds it."""
    query = select(TrainingRun).where(*_held_by(run_id, worker_id)).with_for_update()
    return session.scalars(query).first()


def finish_run(
    *,
    session: Session,
    run: TrainingRun,
    model_path: str,
    evaluation: dict[str, Any],
    now: datetime,
    artifact_id: int | None = None,
) -> TrainingModel:
    """The run is done: its model is stored, ready to be activated."""
    run.state = RunState.DONE
    run.active_slot = None
    run.finished_at = now
    run.progress = 100
    run.phase = "Terminé"
    model = TrainingModel(
        version=run.version,
        path=model_path,
        run_id=run.id,
        status=ModelStatus.READY,
        trained_by_id=run.requested_by_id,
        trained_at=now,
        evaluation=evaluation,
        log_path=run.log_path,
        artifact_id=artifact_id,
    )
    session.add(model)
    session.flush()
    return model


def _changed(session: Session, statement: Any) -> int:
    result = cast(CursorResult[Any], session.execute(statement))
    return result.rowcount
