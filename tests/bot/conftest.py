"""Fixtures for the assistant's tests (run in the bot environment, Python 3.10).

The API they talk to is the real one: started from the API environment on a free loopback
port, over a fresh SQLite database with the demo data.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from actions.api_client import ClaimsApi, set_api
from rasa_sdk import Tracker

# Rasa must not phone home (telemetry, error reports) from the tests or what they start.
os.environ["RASA_TELEMETRY_ENABLED"] = "false"
ROOT = Path(__file__).resolve().parents[2]
API_PYTHON = ROOT / ".venv-api" / "bin" / "python"
TEST_SECRET = "bot-test-secret-0123456789-abcdefghijklmnop"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(url: str, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not start")


@pytest.fixture(scope="session")
def api_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    if not API_PYTHON.exists():
        pytest.fail("The API environment is missing: run `make test` (it builds .venv-api).")
    database = tmp_path_factory.mktemp("api") / "api.db"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "SECRET_KEY": TEST_SECRET,
        "DEMO": "1",
    }
    for module in ("api.core.migrate", "api.demo.seed"):
        subprocess.run(
            [str(API_PYTHON), "-m", module], cwd=ROOT, env=env, check=True, capture_output=True
        )
    return env


@pytest.fixture(scope="session")
def api_url(api_env: dict[str, str]) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [
            str(API_PYTHON),
            "-m",
            "uvicorn",
            "api.main:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=api_env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{url}/healthz", process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def sign_in(api_url: str, username: str) -> str:
    response = httpx.post(
        f"{api_url}/api/v1/auth/token", data={"username": username, "password": "demo"}
    )
    response.raise_for_status()
    return str(response.json()["access_token"])


@pytest.fixture(scope="session")
def token(api_url: str) -> str:
    return sign_in(api_url, "assure1")


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
def domain() -> dict[str, Any]:
    with open(ROOT / "domain.yml", encoding="utf-8") as file:
        return dict(yaml.safe_load(file))


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
    sender_id: str = "assure-1-test",
) -> Tracker:
    """A tracker as the action server receives it.

    `previous` are slots set before the latest user message; `candidates` are the values
    extracted from it, which the form asks the validation action to check.
    """
    metadata = {"access_token": token} if token else {}
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
