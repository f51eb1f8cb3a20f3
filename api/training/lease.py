"""Which training worker carries a run out, and the heartbeat that keeps its claim alive.

Several workers may run (one per host): each names itself, beats every HEARTBEAT_SECONDS
while it trains, and fails only the runs whose heartbeat is older than STALE_AFTER, so a live
worker's run is never failed by another, and a dead worker's run is failed by the next one.
"""

import logging
import os
import secrets
import socket
import threading
from datetime import timedelta
from types import TracebackType

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from api.core.db import begin_write, utcnow
from api.training import service

log = logging.getLogger("api.training")

HEARTBEAT_SECONDS = 10.0
# Nine missed heartbeats: a database that hiccups or a busy host does not kill a training.
STALE_AFTER = timedelta(seconds=90)


def new_worker_id() -> str:
    """host:pid:random, unique across the cluster and readable in the run's row."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(4)}"


class Heartbeat:
    """Beats for a run in a thread while the worker trains; `lost` is set if the run was
    failed meanwhile by another worker (this one was presumed dead), which stops Rasa."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        *,
        run_id: int,
        worker_id: str,
        every: float = HEARTBEAT_SECONDS,
    ) -> None:
        self.factory = factory
        self.run_id = run_id
        self.worker_id = worker_id
        self.every = every
        self.lost = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"heartbeat-{run_id}", daemon=True)

    def __enter__(self) -> "Heartbeat":
        self._thread.start()
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join(timeout=self.every + 5)

    def _beat(self) -> None:
        while not self._stop.wait(self.every):
            try:
                with self.factory() as session:
                    begin_write(session)
                    held = service.beat(
                        session=session, run_id=self.run_id, worker_id=self.worker_id, now=utcnow()
                    )
                    session.commit()
            except SQLAlchemyError as error:  # the next beat may get through
                log.warning("heartbeat of run %d not saved (%s)", self.run_id, type(error).__name__)
                continue
            if not held:
                log.warning("training run %d was failed by another worker: stopping", self.run_id)
                self.lost.set()
                return
