"""The policy's settings: defaults as documented, absurd values refused at start, in French."""

import pytest
from alembic import command
from pydantic import ValidationError
from sqlalchemy import text

from api.core.config import Settings
from api.core.db import make_engine
from api.core.migrate import alembic_config
from tests.conftest import TEST_KEYS


def test_defaults_are_the_documented_policy() -> None:
    settings = Settings(**TEST_KEYS)
    assert settings.report_retention_days == 1826
    assert settings.conversation_retention_days == 180
    assert settings.notification_retention_days == 90
    assert settings.retention_max_per_run == 5000
    assert settings.retention_interval_hours == 24


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"report_retention_days": 300}, "REPORT_RETENTION_DAYS=300 est hors des bornes 365"),
        ({"report_retention_days": 40000}, "REPORT_RETENTION_DAYS=40000"),
        ({"conversation_retention_days": 0}, "CONVERSATION_RETENTION_DAYS=0"),
        ({"notification_retention_days": -1}, "NOTIFICATION_RETENTION_DAYS=-1"),
        ({"retention_max_per_run": 0}, "RETENTION_MAX_PER_RUN=0"),
        ({"retention_interval_hours": 0}, "RETENTION_INTERVAL_HOURS=0"),
        (
            {"report_retention_days": 400, "conversation_retention_days": 500},
            "ne peut pas dépasser REPORT_RETENTION_DAYS",
        ),
        (
            {"notification_retention_days": 10, "notify_window_days": 15},
            "doit dépasser NOTIFY_WINDOW_DAYS",
        ),
    ],
)
def test_absurd_values_are_refused_with_a_clear_message(
    values: dict[str, int], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        # A dict of parametrised fields: mypy cannot match its keys to Settings' arguments.
        Settings(**TEST_KEYS, **values)  # type: ignore[arg-type]


def test_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPORT_RETENTION_DAYS", "3650")
    monkeypatch.setenv("RETENTION_MAX_PER_RUN", "100")
    settings = Settings(**TEST_KEYS)
    assert (settings.report_retention_days, settings.retention_max_per_run) == (3650, 100)


def test_downgrade_refuses_to_drop_erasure(tmp_path: object) -> None:
    url = f"sqlite:///{tmp_path}/m.db"
    config = alembic_config(url)
    command.upgrade(config, "head")
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO report (care_date, provider_name, provider_search, description, "
                "anomaly_type, status, channel, transcript, created_at, updated_at) VALUES "
                "('2020-03-01', 'x', '', 'x', 'other', 'received', 'api', '[]', "
                "'2020-03-02 00:00:00', '2020-03-02 00:00:00')"
            )
        )
    with pytest.raises(RuntimeError, match="anonymisés"):
        command.downgrade(config, "0003")
    engine.dispose()
