"""Secrets come from the environment, and the demo secret never serves outside demo mode."""

import pytest
from pydantic import ValidationError

from api.core.config import DEMO_SECRET_KEY, Settings


def test_secret_required_outside_demo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ValidationError, match="SECRET_KEY must be set"):
        Settings(demo=False)


@pytest.mark.parametrize("secret", [DEMO_SECRET_KEY, "short"])
def test_weak_or_demo_secret_refused_outside_demo(secret: str) -> None:
    with pytest.raises(ValidationError, match="private value"):
        Settings(demo=False, secret_key=secret)


def test_demo_mode_uses_the_documented_demo_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    assert Settings(demo=True).signing_key == DEMO_SECRET_KEY


def test_settings_read_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u@127.0.0.1/x")
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    monkeypatch.setenv("DEMO", "0")
    settings = Settings()
    assert settings.database_url == "postgresql+psycopg://u@127.0.0.1/x"
    assert settings.signing_key == "s" * 40
    assert "s" * 40 not in repr(settings)
