"""The training worker: trains the queued model, evaluates it against the model in service.

    python -m api.training.worker

One run at a time across the cluster (the database allows one active run), whichever number of
workers run: taking a queued run is a conditional update, the worker beats while it trains, and
only a run whose heartbeat is stale is failed by another (see lease.py). Rasa runs as a
subprocess whose output goes to the run's log file, kept next to its evaluation; progress is
written to the run's row every few seconds so that the trainer's page can show it without
waiting. The model file is then stored in the database, for the replicas to pull.
"""

import logging
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from api.core.config import Settings, get_settings
from api.core.db import begin_write, make_engine, make_sessionmaker, utcnow
from api.training import (
    artifacts,
    distribution,
    evaluation,
    lease,
    rasa_cli,
    service,
    trained_models,
)
from api.training.models import RunState, TrainingModel, TrainingRun
from api.training.serving import TRAINER_MODELS, RasaServer, ServingError, model_path

log = logging.getLogger("api.training")

POLL_SECONDS = 2.0
PROGRESS_EVERY_SECONDS = 2.0


def run_dir(settings: Settings, version: str) -> Path:
    return settings.training_dir / "runs" / version


def serving_model(settings: Settings, factory: sessionmaker[Session]) -> Path | None:
    """The model file in service: asked from the database in pull mode, else from the Rasa
    server, else the last one activated here."""
    if settings.model_distribution == "pull":
        return _pulled_model(settings, factory)
    try:
        name = RasaServer(settings).model_file()
    except ServingError:
        name = None
    found = model_path(settings, name) if name else None
    if found is not None:
        return found
    with factory() as session:
        active = trained_models.active_model(session=session)
    if active is not None and Path(active.path).is_file():
        return Path(active.path)
    return settings.base_model if settings.base_model.is_file() else None


def _pulled_model(settings: Settings, factory: sessionmaker[Session]) -> Path | None:
    """The stored model in service, as a file on this host (copied from the database once)."""
    with factory() as session:
        served = distribution.in_service(session=session)
        trained = (
            session.scalars(
                select(TrainingModel).where(TrainingModel.artifact_id == served.id)
            ).first()
            if served
            else None
        )
    if served is None:
        return settings.base_model if settings.base_model.is_file() else None
    local = Path(trained.path) if trained else None
    if local is not None and local.is_file() and local.stat().st_size == served.size_bytes:
        return local
    copy = settings.training_dir / "serving" / f"{served.sha256[:16]}-{served.file_name}"
    if copy.is_file():
        return copy
    return artifacts.write_file(factory, served, copy)


class _ProgressWriter:
    """Writes progress to the run's row, at most every PROGRESS_EVERY_SECONDS."""

    def __init__(self, factory: sessionmaker[Session], run_id: int, worker_id: str) -> None:
        self.factory = factory
        self.run_id = run_id
        self.worker_id = worker_id
        self.last = 0.0

    def __call__(self, progress: rasa_cli.Progress, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.last < PROGRESS_EVERY_SECONDS:
            return
        self.last = now
        try:
            self._write(progress.phase, progress.percent, None)
        except SQLAlchemyError as error:  # progress is best effort: the training goes on
            log.warning("progress of run %d not saved (%s)", self.run_id, type(error).__name__)

    def state(self, state: RunState, phase: str, percent: int) -> None:
        self._write(phase, percent, state)

    def _write(self, phase: str, percent: int, state: RunState | None) -> None:
        with self.factory() as session:
            begin_write(session)
            service.set_progress(
                session=session,
                run_id=self.run_id,
                phase=phase,
                progress=percent,
                state=state,
                worker_id=self.worker_id,
                now=utcnow(),
            )
            session.commit()


def _fail(factory: sessionmaker[Session], run_id: int, worker_id: str, message: str) -> None:
    with factory() as session:
        begin_write(session)
        if not service.fail_run(
            session=session, run_id=run_id, error=message, now=utcnow(), worker_id=worker_id
        ):
            log.warning("training run %d was no longer held by this worker", run_id)
        session.commit()


def _train_and_evaluate(
    settings: Settings,
    factory: sessionmaker[Session],
    run: TrainingRun,
    progress: _ProgressWriter,
    cancel: threading.Event,
) -> tuple[Path, dict[str, Any]]:
    folder = run_dir(settings, run.version)
    with open(folder / "train.log", "a", encoding="utf-8") as log_file:
        model = rasa_cli.train(
            settings,
            out_dir=settings.models_dir / TRAINER_MODELS,
            version=run.version,
            log=log_file,
            on_progress=progress,
            cancel=cancel,
        )
        progress.state(RunState.EVALUATING, "Évaluation du nouveau modèle", 92)
        new_dir = rasa_cli.test_nlu(
            settings, model=model, out_dir=folder / "evaluation-new", log=log_file, cancel=cancel
        )
        serving = serving_model(settings, factory)
        serving_dir = None
        if serving is not None:
            progress.state(RunState.EVALUATING, "Évaluation du modèle en service", 96)
            serving_dir = rasa_cli.test_nlu(
                settings,
                model=serving,
                out_dir=folder / "evaluation-serving",
                log=log_file,
                cancel=cancel,
            )
    result = evaluation.compare(new_dir=new_dir, serving_dir=serving_dir)
    result["serving_model"] = serving.name if serving else None
    return model, result


def execute(
    settings: Settings, factory: sessionmaker[Session], run: TrainingRun, worker_id: str
) -> None:
    """Train, evaluate both models, store the result and the model file; a failure is stored
    with its reason. Nothing is stored if another worker failed the run meanwhile."""
    progress = _ProgressWriter(factory, run.id, worker_id)
    with lease.Heartbeat(factory, run_id=run.id, worker_id=worker_id) as heartbeat:
        try:
            model, result = _train_and_evaluate(settings, factory, run, progress, heartbeat.lost)
        except (rasa_cli.RasaUnavailable, artifacts.ArtifactError, OSError) as error:
            message = getattr(error, "message", None) or str(error)
            log.warning("training run %d failed: %s", run.id, message)
            _fail(factory, run.id, worker_id, message)
            return
        with factory() as session:
            begin_write(session)
            fresh = service.still_held(session=session, run_id=run.id, worker_id=worker_id)
            if fresh is None:
                log.warning("training run %d was failed by another worker: result dropped", run.id)
                return
            try:
                stored = artifacts.store(session=session, path=model, now=utcnow())
            except (artifacts.ArtifactError, OSError) as error:
                session.rollback()
                message = getattr(error, "message", None) or str(error)
                log.warning("training run %d: model not stored: %s", run.id, message)
                _fail(factory, run.id, worker_id, message)
                return
            service.finish_run(
                session=session,
                run=fresh,
                model_path=str(model),
                evaluation=result,
                now=utcnow(),
                artifact_id=stored.id,
            )
            session.commit()
    log.info(
        "training run %d done: model %s (%d bytes stored)", run.id, run.version, stored.size_bytes
    )


def sweep_and_claim(
    *, settings: Settings, factory: sessionmaker[Session], worker_id: str
) -> TrainingRun | None:
    """Fail the runs of dead workers, then take the queued run, if any, in one transaction."""
    with factory() as session:
        begin_write(session)
        now = utcnow()
        stale = service.interrupt_stale_runs(
            session=session, now=now, stale_before=now - lease.STALE_AFTER
        )
        if stale:
            log.warning("%d training run(s) of a stopped worker marked as failed", stale)
        run = service.claim_run(
            session=session, now=now, runs_dir=settings.training_dir / "runs", worker_id=worker_id
        )
        session.commit()
    return run


def run_once(*, settings: Settings, factory: sessionmaker[Session], worker_id: str) -> bool:
    """Take the queued run, if any, and carry it out. True if there was one."""
    run = sweep_and_claim(settings=settings, factory=factory, worker_id=worker_id)
    if run is None:
        return False
    run_dir(settings, run.version).mkdir(parents=True, exist_ok=True)
    log.info("training run %d started by %s", run.id, worker_id)
    try:
        execute(settings, factory, run, worker_id)
    except Exception as error:  # a bug must not leave the run "in progress" for ever
        log.exception("training run %d: unexpected error", run.id)
        reason = f"Erreur interne ({type(error).__name__}) : voir le journal du processus."
        _fail(factory, run.id, worker_id, reason)
    return True


def main() -> int:
    settings = get_settings()
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    engine = make_engine(settings.database_url)
    factory = make_sessionmaker(engine)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    worker_id = lease.new_worker_id()
    log.info("training worker %s started", worker_id)
    while not stop.is_set():
        try:
            busy = run_once(settings=settings, factory=factory, worker_id=worker_id)
        except SQLAlchemyError as error:
            log.warning("database unavailable (%s), retrying", type(error).__name__)
            busy = False
        if not busy:
            stop.wait(POLL_SECONDS)
    engine.dispose()
    log.info("training worker stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
