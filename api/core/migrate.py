"""Bring a database to the latest schema with Alembic (used by `make`, the tests and the bench).

    python -m api.core.migrate [URL]               upgrade to the latest schema
    python -m api.core.migrate --wait SECONDS [URL]  wait until another process did (exit 1 if not)

`--wait` is for the init containers of a cluster (deploy/kubernetes): the migration Job alone
upgrades, every process of the API waits for the schema it was written for before it starts.
"""

import argparse
import sys
import time
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.exc import SQLAlchemyError

from api.core.config import PROJECT_ROOT
from api.core.db import make_engine

WAIT_INTERVAL_SECONDS = 2.0


def alembic_config(database_url: str) -> Config:
    config = Config(str(Path(PROJECT_ROOT) / "alembic.ini"))
    config.attributes["database_url"] = database_url
    config.attributes["configure_logger"] = False
    return config


def upgrade(database_url: str) -> None:
    command.upgrade(alembic_config(database_url), "head")


def at_head(database_url: str) -> bool:
    """Whether the database carries exactly the revisions this code's migrations end with."""
    heads = set(ScriptDirectory.from_config(alembic_config(database_url)).get_heads())
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
    finally:
        engine.dispose()
    return current == heads


def wait_for_head(
    database_url: str, seconds: float, interval: float = WAIT_INTERVAL_SECONDS
) -> bool:
    """Poll until the schema is at head (an unreachable database counts as not yet)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if at_head(database_url):
                return True
        except SQLAlchemyError:
            pass
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m api.core.migrate")
    parser.add_argument("url", nargs="?", help="the database (default: DATABASE_URL)")
    parser.add_argument("--wait", type=float, metavar="SECONDS", help="wait, do not upgrade")
    arguments = parser.parse_args(argv)
    if arguments.url:
        url: str = arguments.url
    else:
        from api.core.config import get_settings

        url = get_settings().database_url
    if arguments.wait is None:
        upgrade(url)
        return 0
    if wait_for_head(url, arguments.wait):
        return 0
    print(
        f"Le schéma de la base n'est pas à jour après {arguments.wait:g}\u00a0s\u00a0: la "
        "migration (python -m api.core.migrate) a-t-elle tourné\u00a0?",
        file=sys.stderr,
    )
    return 1


if __name__ == "__main__":
    sys.exit(main())
