"""Bring a database to the latest schema with Alembic (used by `make`, the tests and the bench)."""

import sys
from pathlib import Path

from alembic import command
from alembic.config import Config

from api.core.config import PROJECT_ROOT


def alembic_config(database_url: str) -> Config:
    config = Config(str(Path(PROJECT_ROOT) / "alembic.ini"))
    config.attributes["database_url"] = database_url
    config.attributes["configure_logger"] = False
    return config


def upgrade(database_url: str) -> None:
    command.upgrade(alembic_config(database_url), "head")


if __name__ == "__main__":
    from api.core.config import get_settings

    upgrade(sys.argv[1] if len(sys.argv) > 1 else get_settings().database_url)
