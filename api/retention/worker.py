"""The retention worker: one run, then a pause of RETENTION_INTERVAL_HOURS, until SIGTERM.

    python -m api.retention.worker

Any number of workers may run (one per host, say): the run lock lets one of them work at a
time, the others find it taken and wait for their next turn. SIGTERM (or Ctrl-C) stops the
loop; a run in progress stops before its next batch and records itself as stopped.
"""

import logging
import signal
import sys
import threading

from sqlalchemy.exc import SQLAlchemyError

from api.core.config import get_settings
from api.core.db import make_engine, utcnow
from api.retention.runner import Policy, run_retention

log = logging.getLogger("api.retention")

# After a failure to reach the database, try again sooner than the next scheduled run.
RETRY_SECONDS = 300.0


def main() -> int:
    settings = get_settings()
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    policy = Policy.from_settings(settings)
    interval = settings.retention_interval_hours * 3600.0
    engine = make_engine(settings.database_url)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    log.info("retention worker started, one run every %d h", settings.retention_interval_hours)
    while not stop.is_set():
        try:
            run_retention(engine=engine, policy=policy, now=utcnow(), should_stop=stop.is_set)
        except SQLAlchemyError as error:
            log.warning("retention: database unavailable (%s), retrying", type(error).__name__)
            stop.wait(min(RETRY_SECONDS, interval))
            continue
        stop.wait(interval)
    engine.dispose()
    log.info("retention worker stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
