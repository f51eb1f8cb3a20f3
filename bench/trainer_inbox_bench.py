"""The trainers' inbox at volume: pages of 1,000,000 tracker events on PostgreSQL.

    .venv-api/bin/python -m bench.trainer_inbox_bench [--events 1000000] [--backend postgresql]

Fills `conversation_event` (the inbox's INBOX_SOURCE=events) of a throwaway database
(`vigilance_bench_inbox`, dropped afterwards) with conversations over 90 days: form questions
(`utter_ask_provider`) answered by names, repeated texts so groups have counts, fallbacks. Then
times each page as the workbench reads it (20 runs after a warm-up, p50 and p95): the first
page, a deep page reached by keyset, the grouped view, and filters. Target: p95 ≤ 300 ms.
"""

import argparse
import itertools
import random
import time
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import Engine, create_engine, select, text

from api.core.config import PROJECT_ROOT
from api.core.db import make_engine
from api.core.migrate import upgrade
from api.events.records import EventRecord, build_record
from api.models import metadata
from api.training.inbox import Cursor, InboxFilters, InboxSource, read_messages
from api.training.inbox_groups import read_groups
from api.training.nlu_files import NluData
from bench.events_bench import WORDS
from bench.toolkit.bulk import insert_rows
from bench.toolkit.databases import POSTGRES_SERVER_URL, VAR, analyse, database_url
from bench.toolkit.measures import percentile

DATABASE = "vigilance_bench_inbox"
TIMEZONE = "Europe/Paris"
EVENTS = metadata.tables["conversation_event"]
DAY = 86_400.0
TARGET_MS = 300.0
NAMES = ["Dr Martin", "Pharmacie du Centre", "Dr Leroy", "Cabinet Dupont", "Taxi Bernard"]


def _phrases(rng: random.Random, count: int) -> list[str]:
    return [" ".join(rng.choices(WORDS, k=rng.randint(2, 9))) for _ in range(count)]


def conversation(
    rng: random.Random, sender: str, start: float, phrases: list[str]
) -> Iterator[EventRecord]:
    """A session start, then turns: some answer the form's question, some are not understood."""
    stamp = start

    def event(body: dict[str, Any]) -> EventRecord:
        nonlocal stamp
        stamp += rng.uniform(0.5, 40.0)
        return build_record(sender, {"timestamp": stamp, **body})

    yield event({"event": "action", "name": "action_session_start"})
    for _ in range(rng.randint(2, 6)):
        asked = rng.random() < 0.3
        if asked:
            yield event(
                {"event": "bot", "text": "…", "metadata": {"utter_action": "utter_ask_provider"}}
            )
        yield event({"event": "action", "name": "action_listen"})
        said = rng.choice(NAMES) if asked else rng.choice(phrases)
        intent = rng.choice(["nlu_fallback", "inform", "greet", "report_suspicious_reimbursement"])
        parse = {"intent": {"name": intent, "confidence": rng.uniform(0.1, 1.0)}}
        yield event({"event": "user", "text": said, "parse_data": parse, "metadata": {}})
        yield event({"event": "action", "name": "utter_x", "policy": "RulePolicy"})
        yield event({"event": "bot", "text": "…", "metadata": {"utter_action": "utter_x"}})


def fill(engine: Engine, events: int, seed: int) -> float:
    """Insert `events` events, then the planner's statistics; seconds taken."""
    started = time.perf_counter()
    rng = random.Random(seed)
    phrases = _phrases(rng, 20_000)
    now = time.time()
    records = itertools.islice(
        (
            record
            for number in itertools.count(1)
            for record in conversation(
                rng,
                f"assure-{number}-{rng.getrandbits(32):x}",
                now - rng.uniform(0, 90) * DAY,
                phrases,
            )
        ),
        events,
    )
    with engine.begin() as connection:
        insert_rows(connection, EVENTS, (record.values() for record in records), 5000)
    analyse(engine, "conversation_event")
    return time.perf_counter() - started


def _deep_cursor(engine: Engine) -> Cursor:
    """A row in the middle of the user events: where a trainer paging far back would be."""
    c = EVENTS.c
    with engine.connect() as connection:
        users = connection.scalar(select(text("count(*)")).where(c.type_name == "user")) or 0
        row = connection.execute(
            select(c.timestamp, c.id)
            .where(c.type_name == "user")
            .order_by(c.timestamp.desc(), c.id.desc())
            .offset(users // 2)
            .limit(1)
        ).one()
    return Cursor(row.timestamp, row.id)


def sample(action: Callable[[], object], runs: int) -> tuple[float, float]:
    """p50 and p95 in ms of `runs` runs after a warm-up."""
    action()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return percentile(samples, 0.5), percentile(samples, 0.95)


def pages(engine: Engine) -> dict[str, Callable[[], object]]:
    nlu = NluData(PROJECT_ROOT)
    source = InboxSource(engine=engine, table=EVENTS)
    deep = _deep_cursor(engine)
    common: dict[str, Any] = {"source": source, "timezone": TIMEZONE, "nlu": nlu, "handled": ()}
    plain = InboxFilters()
    return {
        "first page": lambda: read_messages(filters=plain, **common),
        "deep page (keyset, middle of the store)": lambda: read_messages(
            filters=plain, cursor=deep, **common
        ),
        "grouped view, first page": lambda: read_groups(filters=plain, **common),
        "filter: not understood": lambda: read_messages(
            filters=InboxFilters(misunderstood=True), **common
        ),
        "filter: confidence ≤ 30 %": lambda: read_messages(
            filters=InboxFilters(max_confidence=0.3), **common
        ),
        "filter: text contains « dentiste pharmacie »": lambda: read_messages(
            filters=InboxFilters(contains="dentiste pharmacie"), **common
        ),
        "filter: intent inform, grouped": lambda: read_groups(
            filters=InboxFilters(intent="inform"), **common
        ),
    }


def drop(name: str) -> None:
    server = create_engine(POSTGRES_SERVER_URL, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    server.dispose()


def bench(backend: str, events: int, seed: int, runs: int) -> bool:
    url = database_url(backend, name=DATABASE, path=VAR / "trainer_inbox_bench.db", fresh=True)
    upgrade(url)
    engine = make_engine(url)
    try:
        filled = fill(engine, events, seed)
        print(f"\n{backend}: {events:,} events ({filled:.0f} s to fill)")
        within = True
        for name, action in pages(engine).items():
            p50, p95 = sample(action, runs)
            within &= p95 <= TARGET_MS
            print(f"  {name}: p50 {p50:.0f} ms, p95 {p95:.0f} ms")
        print(f"  p95 ≤ {TARGET_MS:.0f} ms per page: {'yes' if within else 'NO'}")
        return within
    finally:
        engine.dispose()
        if backend == "postgresql":
            drop(DATABASE)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.trainer_inbox_bench")
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="postgresql")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=17)
    arguments = parser.parse_args()
    within = bench(arguments.backend, arguments.events, arguments.seed, arguments.runs)
    return 0 if within else 1


if __name__ == "__main__":
    raise SystemExit(main())
