"""Alembic owns the schema: the migrations match the models and go both ways."""

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from api.core.config import Settings
from api.core.db import make_engine
from api.core.migrate import alembic_config
from api.models import metadata


def test_migrated_schema_matches_the_models(settings: Settings) -> None:
    engine = make_engine(settings.database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []
    engine.dispose()


def test_downgrade_and_upgrade_again(tmp_path: object) -> None:
    url = f"sqlite:///{tmp_path}/m.db"
    config = alembic_config(url)
    command.upgrade(config, "head")
    command.downgrade(config, "base")
    engine = make_engine(url)
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    command.upgrade(config, "head")
    assert {"claim", "report", "report_event", "policyholder", "provider", "staff_user"} <= set(
        inspect(engine).get_table_names()
    )
    engine.dispose()
