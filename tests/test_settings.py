"""Secrets come from the environment, and the demo secret never serves outside demo mode."""

from typing import TypedDict

import pytest
from pydantic import ValidationError

from api.core.config import DEMO_SECRET_KEY, Settings
from contract.tokens import derive_key


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
    monkeypatch.setenv("ASSISTANT_CHANNEL_KEY", "c" * 40)
    monkeypatch.setenv("ASSISTANT_SERVICE_KEY", "a" * 40)
    monkeypatch.setenv("DEMO", "0")
    settings = Settings()
    assert settings.database_url == "postgresql+psycopg://u@127.0.0.1/x"
    assert settings.signing_key == "s" * 40
    assert (settings.channel_key, settings.service_key) == ("c" * 40, "a" * 40)
    for secret in ("s" * 40, "c" * 40, "a" * 40):
        assert secret not in repr(settings)


class Keys(TypedDict):
    secret_key: str
    assistant_channel_key: str


KEYS: Keys = {"secret_key": "s" * 40, "assistant_channel_key": "c" * 40}


@pytest.mark.parametrize("name", ["ASSISTANT_CHANNEL_KEY", "ASSISTANT_SERVICE_KEY"])
def test_assistant_keys_required_outside_demo(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    for variable in ("ASSISTANT_CHANNEL_KEY", "ASSISTANT_SERVICE_KEY"):
        monkeypatch.delenv(variable, raising=False)
    values = {"assistant_channel_key": "c" * 40, "assistant_service_key": "a" * 40}
    del values[name.lower()]
    with pytest.raises(ValidationError, match=f"{name} must be set"):
        # One key is left out on purpose: mypy cannot match a dict's keys to Settings' arguments.
        Settings(_env_file=None, demo=False, secret_key="s" * 40, **values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("service_key", "message"),
    [
        ("short", "at least 32 characters"),
        ("s" * 40, "must differ from SECRET_KEY"),
        ("c" * 40, "must differ"),
    ],
)
def test_weak_or_shared_assistant_keys_are_refused(service_key: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Settings(_env_file=None, demo=False, assistant_service_key=service_key, **KEYS)


def test_demo_mode_derives_distinct_assistant_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("ASSISTANT_CHANNEL_KEY", raising=False)
    monkeypatch.setenv("ASSISTANT_SERVICE_KEY", "")  # as `KEY=` in a .env file: unset
    settings = Settings(_env_file=None, demo=True)
    assert settings.channel_key == derive_key(DEMO_SECRET_KEY, "assistant-channel")
    assert settings.service_key == derive_key(DEMO_SECRET_KEY, "assistant-service")
    assert len({settings.signing_key, settings.channel_key, settings.service_key}) == 3
