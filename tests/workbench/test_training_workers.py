"""Several training workers at once (both databases): a queued run is taken once, a live run is
left to its worker, a run whose worker died is failed, and a worker that lost its run stops."""

import itertools
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from api.accounts.models import StaffRole, StaffUser
from api.core.config import Settings
from api.core.db import begin_write, make_engine, make_sessionmaker, utcnow
from api.training import lease, rasa_cli, service, worker
from api.training.models import RunState, TrainingRun
from tests.bot.net import closed_port_url
from tests.conftest import TEST_KEYS_ENV
from tests.factories import Factory

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def trainer(factory: Factory) -> StaffUser:
    return factory.staff(StaffRole.TRAINER)


@pytest.fixture
def two_engines(
    settings: Settings,
) -> Iterator[tuple[sessionmaker[Session], sessionmaker[Session]]]:
    """Two connection pools, as two worker processes would have (on SQLite, two writer locks)."""
    engines = [make_engine(settings.database_url) for _ in range(2)]
    yield make_sessionmaker(engines[0]), make_sessionmaker(engines[1])
    for engine in engines:
        engine.dispose()


_versions = itertools.count()


def queued(db: Session, trainer: StaffUser) -> TrainingRun:
    """A queued run; versions are named by the second, so each test run gets its own."""
    db.commit()
    now = utcnow() + timedelta(seconds=next(_versions))
    run = service.queue_run(session=db, actor_id=trainer.id, now=now)
    db.commit()
    return run


def state_of(db: Session, run_id: int) -> TrainingRun:
    db.commit()
    db.expire_all()
    run = db.get(TrainingRun, run_id)
    assert run is not None
    db.commit()  # no read snapshot left open for the workers to trip on (SQLite)
    return run


def _race(
    settings: Settings, engines: tuple[sessionmaker[Session], sessionmaker[Session]]
) -> list[TrainingRun | None]:
    """Both workers look for a queued run at the same moment; what each one took."""
    start = threading.Barrier(2)
    taken: list[TrainingRun | None] = []

    def take(factory: sessionmaker[Session], name: str) -> None:
        start.wait()
        taken.append(worker.sweep_and_claim(settings=settings, factory=factory, worker_id=name))

    threads = [
        threading.Thread(target=take, args=(factory, f"w{n}")) for n, factory in enumerate(engines)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return taken


def test_two_workers_take_a_queued_run_once(
    db: Session,
    trainer: StaffUser,
    settings: Settings,
    two_engines: tuple[sessionmaker[Session], sessionmaker[Session]],
) -> None:
    for _ in range(5):
        run = queued(db, trainer)
        taken = _race(settings, two_engines)
        winners = [t for t in taken if t is not None]
        assert len(taken) == 2 and len(winners) == 1
        assert state_of(db, run.id).worker_id == winners[0].worker_id
        with two_engines[0]() as session:
            begin_write(session)
            service.fail_run(session=session, run_id=run.id, error="fin du test", now=utcnow())
            session.commit()


def test_a_live_run_is_left_alone_and_a_silent_one_failed(
    db: Session,
    trainer: StaffUser,
    settings: Settings,
    two_engines: tuple[sessionmaker[Session], sessionmaker[Session]],
) -> None:
    mine, other = two_engines
    run = queued(db, trainer)
    assert worker.sweep_and_claim(settings=settings, factory=mine, worker_id="alive") is not None
    stale_after = timedelta(seconds=1)

    def sweep() -> int:
        with other() as session:
            begin_write(session)
            now = utcnow()
            failed = service.interrupt_stale_runs(
                session=session, now=now, stale_before=now - stale_after
            )
            session.commit()
            return failed

    with lease.Heartbeat(mine, run_id=run.id, worker_id="alive", every=0.1) as heartbeat:
        deadline = time.monotonic() + 2.5  # longer than stale_after: only the beats keep it
        while time.monotonic() < deadline:
            assert sweep() == 0
            time.sleep(0.1)
        assert not heartbeat.lost.is_set()
    assert state_of(db, run.id).state == RunState.TRAINING

    time.sleep(1.2)  # the worker stopped beating: it died
    assert sweep() == 1
    failed = state_of(db, run.id)
    assert failed.state == RunState.FAILED and failed.active_slot is None
    assert failed.error is not None and "interrompu" in failed.error

    # Had it only been frozen, it learns it lost the run at its next beat, and changes nothing.
    with lease.Heartbeat(mine, run_id=run.id, worker_id="alive", every=0.05) as heartbeat:
        assert heartbeat.lost.wait(5)
    with mine() as session:
        begin_write(session)
        assert not service.fail_run(
            session=session, run_id=run.id, error="trop tard", now=utcnow(), worker_id="alive"
        )
        assert service.still_held(session=session, run_id=run.id, worker_id="alive") is None
        session.commit()
    assert state_of(db, run.id).error == failed.error


def test_a_worker_that_lost_its_run_stops_rasa(settings: Settings, tmp_path: Path) -> None:
    cancel = threading.Event()
    threading.Timer(0.5, cancel.set).start()
    started = time.monotonic()
    with (
        open(tmp_path / "train.log", "w", encoding="utf-8") as log,
        pytest.raises(rasa_cli.RasaUnavailable, match="déclaré interrompu"),
    ):
        rasa_cli._stream(settings, ["sleep", "60"], log, lambda _: None, cancel=cancel)
    assert time.monotonic() - started < 10


class WorkerProcess:
    """`python -m api.training.worker` against the test database, its log in a file."""

    def __init__(self, settings: Settings, folder: Path, name: str) -> None:
        self.log = folder / f"{name}.log"
        env = {
            **os.environ,
            "DATABASE_URL": settings.database_url,
            **TEST_KEYS_ENV,
            "DEMO": "0",
            "RASA_BIN": str(folder / "no-rasa"),
            "RASA_URL": closed_port_url(),
            "TRAINING_DIR": str(folder / "training"),
            "MODELS_DIR": str(folder / "models"),
            "LOG_LEVEL": "INFO",
        }
        with open(self.log, "wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "api.training.worker"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    @property
    def worker_id(self) -> str | None:
        found = re.search(r"training worker (\S+) started", self.text())
        return found.group(1) if found else None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


def wait_for(condition: Callable[[], object], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.2)


def test_two_worker_processes_share_the_runs(
    db: Session, trainer: StaffUser, settings: Settings, tmp_path: Path
) -> None:
    # A run another host is training right now: it beats, as a live worker does.
    live = queued(db, trainer)
    db.execute(
        update(TrainingRun)
        .where(TrainingRun.id == live.id)
        .values(state=RunState.TRAINING, worker_id="host-b:42:cafe", heartbeat_at=utcnow())
    )
    db.commit()
    workers = [WorkerProcess(settings, tmp_path, f"worker-{n}") for n in range(2)]
    try:
        wait_for(lambda: all(w.worker_id for w in workers))
        time.sleep(worker.POLL_SECONDS * 2)  # each has swept a few times meanwhile
        assert state_of(db, live.id).state == RunState.TRAINING

        # The other host dies: its heartbeat gets old, and one of the workers fails its run.
        db.execute(
            update(TrainingRun)
            .where(TrainingRun.id == live.id)
            .values(heartbeat_at=utcnow() - lease.STALE_AFTER - timedelta(seconds=1))
        )
        db.commit()
        wait_for(lambda: state_of(db, live.id).state == RunState.FAILED)

        run = queued(db, trainer)
        wait_for(lambda: state_of(db, run.id).state == RunState.FAILED)
        done = state_of(db, run.id)
        assert done.error is not None and "La commande Rasa est introuvable" in done.error
        assert done.worker_id in {w.worker_id for w in workers}
        starts = [w.text().count(f"training run {run.id} started") for w in workers]
        assert sorted(starts) == [0, 1]
    finally:
        for process in workers:
            process.stop()
    assert all(w.process.returncode == 0 for w in workers), [w.text()[-2000:] for w in workers]
