"""Copy the events that never came through RabbitMQ from Rasa's tracker store.

    python -m api.events.backfill [--since YYYY-MM-DD] [--sender ID] [--batch N]

While RabbitMQ is unreachable, Rasa keeps the events it could not publish in its own memory
only (lost if that process stops), but its SQL tracker store (TRACKER_STORE_URL) has them all.
This reads the store's `events` table in id order, a batch at a time (keyset pagination:
bounded memory), and inserts each event with the key the consumer uses, so only the missing
ones are added; running it again adds nothing. It may run while the consumer does.
"""

import argparse
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any, TextIO

from sqlalchemy import Engine, Select, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from api.core.config import get_settings
from api.core.db import begin_write, make_engine, make_sessionmaker
from api.core.tracker_store import events as tracker_events
from api.core.tracker_store import tracker_engine
from api.events import service
from api.events.records import EventRecord, MalformedEvent, from_tracker_row
from api.training.inbox import local_bound

BATCH_SIZE = 1000


@dataclass
class Progress:
    read: int = 0
    added: int = 0
    unreadable: int = 0
    last_id: int = 0

    def line(self) -> str:
        return (
            f"lus : {self.read}, ajoutés : {self.added}, déjà présents : "
            f"{self.read - self.added - self.unreadable}, illisibles : {self.unreadable}"
        )


def _query(after_id: int, since: float | None, sender: str | None, batch: int) -> Select[Any]:
    query = (
        select(tracker_events.c.id, tracker_events.c.sender_id, tracker_events.c.data)
        .where(tracker_events.c.id > after_id)
        .order_by(tracker_events.c.id)
        .limit(batch)
    )
    if since is not None:
        query = query.where(tracker_events.c.timestamp >= since)
    if sender is not None:
        query = query.where(tracker_events.c.sender_id == sender)
    return query


def _batches(
    tracker: Engine, since: float | None, sender: str | None, batch: int
) -> Iterator[tuple[int, list[EventRecord], int]]:
    """(last id, records, unreadable rows) for each batch of the tracker store."""
    after_id = 0
    while True:
        with tracker.connect() as connection:
            rows = connection.execute(_query(after_id, since, sender, batch)).all()
        if not rows:
            return
        records, unreadable = [], 0
        for row in rows:
            try:
                records.append(from_tracker_row(row.sender_id, row.data))
            except MalformedEvent:
                unreadable += 1
        after_id = rows[-1].id
        yield after_id, records, unreadable
        if len(rows) < batch:
            return


def backfill(
    *,
    tracker: Engine,
    sessionmaker: sessionmaker[Session],
    since: float | None = None,
    sender: str | None = None,
    batch: int = BATCH_SIZE,
    out: TextIO | None = None,
) -> Progress:
    """Insert the tracker store's events that `conversation_event` lacks; one commit a batch."""
    progress = Progress()
    for last_id, records, unreadable in _batches(tracker, since, sender, batch):
        with sessionmaker() as session:
            begin_write(session)
            progress.added += service.store_events(session=session, records=records)
            session.commit()
        progress.read += len(records) + unreadable
        progress.unreadable += unreadable
        progress.last_id = last_id
        if out is not None:
            print(progress.line(), file=out, flush=True)
    return progress


def _parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m api.events.backfill",
        description="Copie dans conversation_event les événements du tracker store de Rasa "
        "qui n'y sont pas (après une panne de RabbitMQ).",
    )
    parser.add_argument(
        "--since", type=date.fromisoformat, help="jour de début (AAAA-MM-JJ, heure française)"
    )
    parser.add_argument("--sender", help="une seule conversation")
    parser.add_argument("--batch", type=int, default=BATCH_SIZE, help="événements par lot")
    arguments = parser.parse_args(argv)
    if arguments.batch < 1:
        parser.error("--batch doit être positif")
    return arguments


def main(argv: list[str] | None = None) -> int:
    arguments = _parse_arguments(argv)
    settings = get_settings()
    since = local_bound(arguments.since, settings.timezone, end=False) if arguments.since else None
    engine = make_engine(settings.database_url)
    try:
        with tracker_engine(settings.tracker_store_url) as tracker:
            progress = backfill(
                tracker=tracker,
                sessionmaker=make_sessionmaker(engine),
                since=since,
                sender=arguments.sender,
                batch=arguments.batch,
                out=sys.stdout,
            )
    except SQLAlchemyError as error:
        print(
            f"La copie s'est arrêtée : base indisponible ({type(error).__name__}). Les lots "
            "déjà copiés sont gardés ; relancez la commande pour finir.",
            file=sys.stderr,
        )
        return 1
    finally:
        engine.dispose()
    print(f"Terminé. {progress.line()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
