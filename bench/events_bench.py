"""The event stream at volume: statistics, inbox and retention queries over 1,000,000 events.

    .venv-api/bin/python -m bench.events_bench [--events 1000000] [--backend sqlite|postgresql]

Fills `conversation_event` of a bench database of its own (var/events_bench.db, or
`vigilance_events_bench` on the local PostgreSQL) with conversations spread over 90 days,
then times each query (median of 5 after a warm-up) and the consumer's insert path.
"""

import argparse
import itertools
import random
import statistics
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from api.core.clock import local_today
from api.core.config import PROJECT_ROOT
from api.core.db import begin_write, make_engine, make_sessionmaker
from api.core.migrate import upgrade
from api.events import service
from api.events.models import ConversationEvent
from api.events.records import EventRecord, build_record
from api.events.statistics import conversation_statistics
from api.models import metadata
from api.training.inbox import InboxFilters, InboxSource, read_messages
from api.training.nlu_files import NluData
from bench.toolkit.bulk import insert_rows
from bench.toolkit.databases import VAR, analyse, database_url

SQLITE_PATH = VAR / "events_bench.db"
POSTGRES_DATABASE = "vigilance_events_bench"
TIMEZONE = "Europe/Paris"
EVENTS = metadata.tables["conversation_event"]
DAY = 86_400.0
INTENTS = [("greet", 0.9), ("report_suspicious", 0.7), ("ask_human", 0.5), ("nlu_fallback", 0.2)]
WORDS = [
    "bonjour",
    "docteur",
    "facture",
    "soin",
    "remboursement",
    "dentiste",
    "pharmacie",
    "mars",
    "hier",
    "merci",
]


def conversation(rng: random.Random, sender: str, start: float) -> Iterator[EventRecord]:
    """About 20 events: a session start, then turns of user → action → bot → listen."""
    stamp = start

    def event(body: dict[str, Any]) -> EventRecord:
        nonlocal stamp
        stamp += rng.uniform(0.5, 40.0)
        return build_record(sender, {"timestamp": stamp, **body})

    yield event({"event": "action", "name": "action_session_start"})
    yield event({"event": "session_started"})
    for _ in range(rng.randint(2, 6)):
        yield event({"event": "action", "name": "action_listen"})
        intent, confidence = rng.choice(INTENTS)
        text_ = " ".join(rng.choices(WORDS, k=rng.randint(2, 12)))
        parse = {"intent": {"name": intent, "confidence": rng.uniform(confidence - 0.2, 1.0)}}
        yield event({"event": "user", "text": text_, "parse_data": parse, "metadata": {}})
        yield event({"event": "action", "name": "utter_x", "policy": "RulePolicy"})
        filed = intent == "report_suspicious" and rng.random() < 0.3
        response = "utter_report_filed" if filed else "utter_x"
        yield event({"event": "bot", "text": "…", "metadata": {"utter_action": response}})


def _records(rng: random.Random) -> Iterator[EventRecord]:
    """Conversation after conversation, each started at random in the last 90 days."""
    now = time.time()
    for number in itertools.count(1):
        start = now - rng.uniform(0, 90) * DAY
        yield from conversation(rng, f"assure-{number}-{rng.getrandbits(32):x}", start)


def fill(engine: Engine, events: int, seed: int) -> float:
    """Insert `events` events of conversations, then the planner's statistics; seconds taken."""
    started = time.perf_counter()
    records = itertools.islice(_records(random.Random(seed)), events)
    with engine.begin() as connection:
        insert_rows(connection, EVENTS, (record.values() for record in records), 5000)
    analyse(engine, "conversation_event")
    return time.perf_counter() - started


def timed(action: Callable[[], object], runs: int = 5) -> float:
    action()  # warm-up
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def consumer_path(engine: Engine, seed: int) -> tuple[float, float]:
    """ms per batch of 200 new events, and per batch of 200 already stored (redelivery)."""
    factory = make_sessionmaker(engine)
    rng = random.Random(seed + 1)
    batches: list[list[EventRecord]] = []
    records = (r for n in range(10_000) for r in conversation(rng, f"new-{n}", time.time()))
    for _ in range(10):
        batches.append([next(records) for _ in range(200)])

    def store(batch: list[EventRecord]) -> int:
        with factory() as session:
            begin_write(session)
            stored = service.store_events(session=session, records=batch)
            session.commit()
        return stored

    started = time.perf_counter()
    assert sum(store(b) for b in batches) == 2000
    new = (time.perf_counter() - started) * 1000 / len(batches)
    started = time.perf_counter()
    assert sum(store(b) for b in batches) == 0
    known = (time.perf_counter() - started) * 1000 / len(batches)
    return new, known


def session_timings(session: Session, today: date) -> dict[str, float]:
    """ms of the statistics page's queries, the retention's and the inbox's own query."""
    newest = (
        select(EVENTS.c.sender_id, EVENTS.c.timestamp, EVENTS.c.intent_name, EVENTS.c.data)
        .where(EVENTS.c.type_name == "user")
        .order_by(EVENTS.c.timestamp.desc())
        .limit(5000)
    )
    return {
        "stats": timed(
            lambda: conversation_statistics(session=session, last_day=today, timezone=TIMEZONE)
        ),
        "stale": timed(
            lambda: service.stale_conversations(
                session=session, before=time.time() - 60 * DAY, limit=5000
            )
        ),
        # A daily run: nothing older than the limit is left but active conversations.
        "steady": timed(
            lambda: service.stale_conversations(
                session=session, before=time.time() - 180 * DAY, limit=5000
            )
        ),
        "query": timed(lambda: session.execute(newest).all()),
    }


def inbox_timings(engine: Engine, today: date) -> dict[str, float]:
    """ms of the inbox page: the 5,000 newest user messages, then those of the last 7 days."""
    nlu = NluData(PROJECT_ROOT)
    source = InboxSource(engine=engine, table=EVENTS)
    since = InboxFilters(since=today - timedelta(days=7))
    return {
        "inbox": timed(
            lambda: read_messages(
                source=source, filters=InboxFilters(), timezone=TIMEZONE, nlu=nlu, handled=()
            )
        ),
        "inbox_week": timed(
            lambda: read_messages(
                source=source, filters=since, timezone=TIMEZONE, nlu=nlu, handled=()
            )
        ),
    }


def bench(backend: str, events: int, seed: int) -> None:
    """Fill a fresh database of `backend`, then time each query and print the figures."""
    url = database_url(backend, name=POSTGRES_DATABASE, path=SQLITE_PATH, fresh=True)
    upgrade(url)
    engine = make_engine(url)
    filled = fill(engine, events, seed)
    today = local_today(TIMEZONE)
    with make_sessionmaker(engine)() as session:
        total = session.scalar(select(func.count()).select_from(ConversationEvent))
        figures = conversation_statistics(session=session, last_day=today, timezone=TIMEZONE)
        print(f"\n{backend}: {total:,} events ({filled:.0f} s to fill)")
        print(
            f"  30 days: {figures.messages:,} messages, {figures.conversations:,} conversations, "
            f"{figures.reports:,} reports, {len(figures.intents)} intents"
        )
        ms = session_timings(session, today)
    ms |= inbox_timings(engine, today)
    new_ms, known_ms = consumer_path(engine, seed)
    print(f"  statistics page queries: {ms['stats']:.0f} ms")
    print(
        f"  inbox page (5,000 newest user events): {ms['inbox']:.0f} ms, of which the query "
        f"{ms['query']:.0f} ms; last 7 days: {ms['inbox_week']:.0f} ms"
    )
    print(
        f"  retention: conversations idle for 60 days (5,000 at most): {ms['stale']:.0f} ms; "
        f"for 180 days (none): {ms['steady']:.0f} ms"
    )
    print(
        f"  consumer: a batch of 200 new events {new_ms:.1f} ms, already stored {known_ms:.1f} ms"
    )
    engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.events_bench")
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], action="append")
    parser.add_argument("--seed", type=int, default=13)
    arguments = parser.parse_args()
    for backend in arguments.backend or ["sqlite", "postgresql"]:
        bench(backend, arguments.events, arguments.seed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
