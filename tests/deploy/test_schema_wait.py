"""`python -m api.core.migrate --wait`: what the API's init containers run before it starts."""

from pathlib import Path

import pytest
from alembic import command

from api.core.config import Settings
from api.core.migrate import alembic_config, at_head, main, wait_for_head


def test_a_migrated_database_is_at_head(settings: Settings) -> None:
    assert at_head(settings.database_url)
    assert main(["--wait", "0", settings.database_url]) == 0


def test_an_older_schema_waits_until_the_migration_ran(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/old.db"
    command.upgrade(alembic_config(url), "0001")
    assert not at_head(url)
    assert not wait_for_head(url, 0.05, interval=0.01)
    command.upgrade(alembic_config(url), "head")
    assert wait_for_head(url, 0)


def test_an_unreachable_database_is_not_ready(capsys: pytest.CaptureFixture[str]) -> None:
    url = "postgresql+psycopg://postgres@127.0.0.1:9/absent?connect_timeout=1"
    assert main(["--wait", "0", url]) == 1
    assert "n'est pas à jour après 0\u00a0s" in capsys.readouterr().err
