"""Fixtures for the tests of the whole stack under faults and on several hosts (API
environment; the assistant's processes run from the bot environment)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

os.environ["RASA_TELEMETRY_ENABLED"] = "false"
POSTGRES_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def tracker_database() -> Iterator[str]:
    """A PostgreSQL database of its own for Rasa's tracker store, dropped afterwards; yields
    its name."""
    name = f"vigilance_tracker_{uuid.uuid4().hex[:10]}"
    admin = create_engine(make_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield name
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def chat_token_for(api_url: str, username: str, password: str = "demo") -> str:  # noqa: S107
    """Sign in as the person, then ask for the token they hand to the assistant."""
    signed_in = httpx.post(
        f"{api_url}/api/v1/auth/token", data={"username": username, "password": password}
    )
    signed_in.raise_for_status()
    access = signed_in.json()["access_token"]
    minted = httpx.post(
        f"{api_url}/api/v1/assistant/chat-token", headers={"Authorization": f"Bearer {access}"}
    )
    minted.raise_for_status()
    return str(minted.json()["chat_token"])
