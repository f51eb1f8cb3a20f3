"""The training worker: trains the queued model, evaluates it against the model in service.

    python -m api.training.worker

One run at a time (the database allows one active run). Rasa runs as a subprocess whose output
goes to the run's log file, kept next to its evaluation; progress is written to the run's row
every few seconds so that the trainer's page can show it without waiting.
"""

import logging
import signal
import sys
import threading
import time
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from api.core.config import Settings, get_settings
from api.core.db import begin_write, make_engine, make_sessionmaker, utcnow
from api.training import evaluation, rasa_cli, service
from api.training.models import RunState, TrainingRun
from api.training.serving import TRAINER_MODELS, RasaServer, ServingError, model_path

log = logging.getLogger("api.training")

POLL_SECONDS = 2.0
PROGRESS_EVERY_SECONDS = 2.0


def run_dir(settings: Settings, version: str) -> Path:
    return settings.training_dir / "runs" / version


def serving_model(settings: Settings, factory: sessionmaker[Session]) -> Path | None:
    """The model file in service: what the Rasa server says, else the last one activated here."""
    try:
        name = RasaServer(settings).model_file()
    except ServingError:
        name = None
    found = model_path(settings, name) if name else None
    if found is not None:
        return found
    with factory() as session:
        active = service.active_model(session=session)
    if active is not None and Path(active.path).is_file():
        return Path(active.path)
    return settings.base_model if settings.base_model.is_file() else None


class _ProgressWriter:
    """Writes progress to the run's row, at most every PROGRESS_EVERY_SECONDS."""

    def __init__(self, factory: sessionmaker[Session], run_id: int) -> None:
        self.factory = factory
        self.run_id = run_id
        self.last = 0.0

    def __call__(self, progress: rasa_cli.Progress, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.last < PROGRESS_EVERY_SECONDS:
            return
        self.last = now
        try:
            with self.factory() as session:
                begin_write(session)
                service.set_progress(
                    session=session,
                    run_id=self.run_id,
                    phase=progress.phase,
                    progress=progress.percent,
                )
                session.commit()
        except SQLAlchemyError as error:  # progress is best effort: the training goes on
            log.warning("progress of run %d not saved (%s)", self.run_id, type(error).__name__)

    def state(self, state: RunState, phase: str, percent: int) -> None:
        with self.factory() as session:
            begin_write(session)
            service.set_progress(
                session=session, run_id=self.run_id, phase=phase, progress=percent, state=state
            )
            session.commit()


def execute(settings: Settings, factory: sessionmaker[Session], run: TrainingRun) -> None:
    """Train, evaluate both models, store the result; a failure is stored with its reason."""
    folder = run_dir(settings, run.version)
    progress = _ProgressWriter(factory, run.id)
    try:
        with open(folder / "train.log", "a", encoding="utf-8") as log_file:
            model = rasa_cli.train(
                settings,
                out_dir=settings.models_dir / TRAINER_MODELS,
                version=run.version,
                log=log_file,
                on_progress=progress,
            )
            progress.state(RunState.EVALUATING, "Évaluation du nouveau modèle", 92)
            new_dir = rasa_cli.test_nlu(
                settings, model=model, out_dir=folder / "evaluation-new", log=log_file
            )
            serving = serving_model(settings, factory)
            serving_dir = None
            if serving is not None:
                progress.state(RunState.EVALUATING, "Évaluation du modèle en service", 96)
                serving_dir = rasa_cli.test_nlu(
                    settings, model=serving, out_dir=folder / "evaluation-serving", log=log_file
                )
        result = evaluation.compare(new_dir=new_dir, serving_dir=serving_dir)
        result["serving_model"] = serving.name if serving else None
    except (rasa_cli.RasaUnavailable, OSError) as error:
        message = str(error)
        log.warning("training run %d failed: %s", run.id, message)
        with factory() as session:
            begin_write(session)
            service.fail_run(session=session, run_id=run.id, error=message, now=utcnow())
            session.commit()
        return
    with factory() as session:
        begin_write(session)
        fresh = session.get(TrainingRun, run.id)
        assert fresh is not None
        service.finish_run(
            session=session, run=fresh, model_path=str(model), evaluation=result, now=utcnow()
        )
        session.commit()
    log.info("training run %d done: model %s", run.id, run.version)


def run_once(*, settings: Settings, factory: sessionmaker[Session]) -> bool:
    """Take the queued run, if any, and carry it out. True if there was one."""
    with factory() as session:
        begin_write(session)
        run = service.claim_run(
            session=session, now=utcnow(), runs_dir=settings.training_dir / "runs"
        )
        session.commit()
    if run is None:
        return False
    run_dir(settings, run.version).mkdir(parents=True, exist_ok=True)
    log.info("training run %d started", run.id)
    try:
        execute(settings, factory, run)
    except Exception as error:  # a bug must not leave the run "in progress" for ever
        log.exception("training run %d: unexpected error", run.id)
        with factory() as session:
            begin_write(session)
            reason = f"Erreur interne ({type(error).__name__}) : voir le journal du processus."
            service.fail_run(session=session, run_id=run.id, error=reason, now=utcnow())
            session.commit()
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
    with factory() as session:
        begin_write(session)
        service.interrupt_stale_runs(session=session, now=utcnow())
        session.commit()
    log.info("training worker started")
    while not stop.is_set():
        try:
            busy = run_once(settings=settings, factory=factory)
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
