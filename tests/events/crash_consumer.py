"""A consumer that stops dead between its commit and its acknowledgement (the test kills it).

python -m tests.events.crash_consumer DATABASE_URL RABBITMQ_URL QUEUE EXCHANGE MARKER
"""

import sys
import threading
import time
from pathlib import Path

from api.core.db import make_engine, make_sessionmaker
from api.events.consumer import Broker, EventConsumer


def main() -> None:
    database_url, url, queue, exchange, marker = sys.argv[1:6]

    def hang(stored: int) -> None:
        Path(marker).write_text(str(stored))
        time.sleep(3600)  # committed, not acknowledged: SIGKILL comes here

    EventConsumer(
        broker=Broker(url=url, queue=queue, exchange=exchange),
        sessionmaker=make_sessionmaker(make_engine(database_url)),
        stop=threading.Event(),
        batch_wait=1.0,
        after_commit=hang,
    ).run()


if __name__ == "__main__":
    main()
