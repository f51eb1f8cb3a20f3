"""Fixtures for the assistant's tests (run in the bot environment, Python 3.10).

The API they talk to is the real one: started from the API environment on a free loopback
port, over a fresh SQLite database with the demo data.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from typing import Any, cast

import httpx
import jwt
import pytest
import yaml
from actions.api_client import ClaimsApi, set_api
from contract import tokens
from rasa_sdk import Tracker
from rasa_sdk.types import DomainDict

from tests.bot.stack import (
    API_PYTHON,
    ROOT,
    TEST_KEYS,
    TEST_SECRET,
    Assistant,
    running_api,
    running_assistant,
)

# Rasa must not phone home (telemetry, error reports) from the tests or what they start.
os.environ["RASA_TELEMETRY_ENABLED"] = "false"
# The actions tested in this process mint their API credential with the test's service key.
os.environ.update(TEST_KEYS)


@pytest.fixture(scope="session")
def api_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not API_PYTHON.exists():
        pytest.fail("The API environment is missing: run `make test` (it builds .venv-api).")
    # Many reports by one demo person in one run: the caps per provider are the API suite's
    # business (tests/api/test_report_limits.py), not these tests'.
    limits = {"REPORT_DAILY_LIMIT": "100", "REPORT_WEEKLY_LIMIT": "200"}
    with running_api(tmp_path_factory.mktemp("api"), TEST_SECRET, limits) as url:
        yield url


@pytest.fixture(scope="session")
def assistant(api_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    """Action server and Rasa (REST and socket.io channels), shared by the stack's tests."""
    with running_assistant(api_url, tmp_path_factory.mktemp("assistant")) as running:
        yield running


def sign_in(api_url: str, username: str) -> str:
    """An access token of the API for a demo account (its own sign-in session)."""
    response = httpx.post(
        f"{api_url}/api/v1/auth/token", data={"username": username, "password": "demo"}
    )
    response.raise_for_status()
    return str(response.json()["access_token"])


def chat_token(api_url: str, access_token: str) -> str:
    """What a signed-in policyholder hands to the assistant's channels."""
    response = httpx.post(
        f"{api_url}/api/v1/assistant/chat-token",
        headers={"Authorization": f"Bearer {access_token}"},
    )
    response.raise_for_status()
    return str(response.json()["chat_token"])


def binding(token: str) -> dict[str, Any]:
    """The `auth` metadata a channel attaches for the holder of `token` (an access or chat
    token of the API: same subject, same session); a placeholder person for « t »."""
    if token.count(".") != 2:
        soon = int(time.time()) + 600
        return {"policyholder_id": 1, "session": "test-session", "expires_at": soon}
    claims = jwt.decode(token, options={"verify_signature": False})
    return {
        "policyholder_id": int(claims[tokens.SUBJECT]),
        "session": str(claims[tokens.SESSION]),
        "expires_at": int(claims[tokens.EXPIRES]),
    }


@pytest.fixture(scope="session")
def token(api_url: str) -> str:
    """An access token of the API for assure1 (the tests' own calls to the API)."""
    return sign_in(api_url, "assure1")


@pytest.fixture(scope="session")
def chat(api_url: str, token: str) -> str:
    """The chat token assure1 hands to the assistant, from the same sign-in session."""
    return chat_token(api_url, token)


@pytest.fixture
def api(api_url: str) -> Iterator[ClaimsApi]:
    client = ClaimsApi(api_url)
    set_api(client)
    yield client
    set_api(None)


@pytest.fixture(scope="session")
def claims(api_url: str, token: str) -> list[dict[str, Any]]:
    response = httpx.get(
        f"{api_url}/api/v1/claims",
        params={"limit": 100},
        headers={"Authorization": f"Bearer {token}"},
    )
    return list(response.json()["items"])


@pytest.fixture(scope="session")
def domain() -> DomainDict:
    with open(ROOT / "domain.yml", encoding="utf-8") as file:
        return cast(DomainDict, yaml.safe_load(file))


# What the actions that never read their domain are handed.
NO_DOMAIN = cast(DomainDict, {})


def make_tracker(
    *,
    slots: dict[str, Any] | None = None,
    text: str = "",
    intent: str = "inform",
    entities: list[dict[str, Any]] | None = None,
    token: str | None = None,
    previous: dict[str, Any] | None = None,
    candidates: dict[str, Any] | None = None,
    events: list[dict[str, Any]] | None = None,
    active_loop: str | None = "report_form",
    sender_id: str | None = None,
) -> Tracker:
    """A tracker as the action server receives it.

    `previous` are slots set before the latest user message; `candidates` are the values
    extracted from it, which the form asks the validation action to check.
    """
    auth = binding(token) if token else None
    metadata: dict[str, Any] = {"auth": auth} if auth else {}
    sender_id = sender_id or f"assure-{auth['policyholder_id'] if auth else 1}-test"
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": 1.0},
        "entities": entities or [],
        "metadata": metadata,
    }
    history: list[dict[str, Any]] = list(events or [])
    history += [
        {"event": "slot", "name": k, "value": v, "timestamp": 1.0}
        for k, v in (previous or {}).items()
    ]
    history += [
        {"event": "action", "name": "action_listen", "timestamp": 2.0},
        {
            "event": "user",
            "text": text,
            "parse_data": latest,
            "metadata": metadata,
            "timestamp": 3.0,
        },
    ]
    history += [
        {"event": "slot", "name": k, "value": v, "timestamp": 4.0}
        for k, v in (candidates or {}).items()
    ]
    all_slots = {**(previous or {}), **(slots or {}), **(candidates or {})}
    return Tracker(
        sender_id=sender_id,
        slots=all_slots,
        latest_message=latest,
        events=history,
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


def responses(dispatcher: Any) -> list[str]:
    return [m.get("response") for m in dispatcher.messages]


def slot_events(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
