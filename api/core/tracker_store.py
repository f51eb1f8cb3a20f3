"""Rasa's SQL tracker store as the API reads it: the trainers' inbox, the event backfill and
retention all read (and retention deletes from) the same table, `events`, as Rasa 3.6 creates it.
Rasa owns that schema; nothing here creates or migrates it."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Column, Engine, Float, Integer, MetaData, String, Table, Text, inspect
from sqlalchemy.engine import make_url

from api.core.db import make_engine

events = Table(
    "events",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255)),
    Column("type_name", String(255)),
    Column("timestamp", Float),
    Column("intent_name", String(255)),
    Column("action_name", String(255)),
    Column("data", Text),
)


@contextmanager
def tracker_engine(url: str) -> Iterator[Engine]:
    """An engine on Rasa's tracker store; a plain `postgresql://` URL uses psycopg 3 here."""
    if url.startswith(("postgresql://", "postgres://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    engine = make_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


def exists(url: str, engine: Engine) -> bool:
    """False for a SQLite file that does not exist (never created here) or without `events`."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").is_file():
        return False
    return inspect(engine).has_table("events")
