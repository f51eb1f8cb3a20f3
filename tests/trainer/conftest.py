"""The trainers' loop against the real assistant: Rasa's command line, and for the end-to-end
test the whole stack as processes (API, training worker, action server, Rasa server).

Run from the API environment by `make test-trainer`; the stack is started by tests/bot/stack.py.
"""

import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.bot.stack import (
    API_PYTHON,
    BOT_BIN,
    MODEL,
    ROOT,
    Assistant,
    free_port,
    running_api,
    running_assistant,
)
from tests.workbench.support import copy_assistant

SECRET = "trainer-test-secret-0123456789-abcdefghijk"
RASA_TOKEN = "test-rasa-token-0123456789"  # what running_assistant gives Rasa

os.environ["RASA_TELEMETRY_ENABLED"] = "false"


@pytest.fixture(scope="session", autouse=True)
def _assistant_is_built() -> None:
    if not (BOT_BIN / "rasa").exists() or not MODEL.exists():
        pytest.fail("The assistant is not built: run `make test-trainer` (it trains the model).")


@dataclass(frozen=True)
class Stack:
    api_url: str
    assistant: Assistant
    assistant_dir: Path
    models_dir: Path
    workdir: Path


def _worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with open(log, "wb") as out:
        return subprocess.Popen(
            [str(API_PYTHON), "-m", "api.training.worker"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    workdir = tmp_path_factory.mktemp("trainer")
    assistant_dir = copy_assistant(workdir / "assistant")
    rasa_port = free_port()
    settings_env = {
        "ASSISTANT_DIR": str(assistant_dir),
        "MODELS_DIR": str(workdir / "models"),
        "TRAINING_DIR": str(workdir / "training"),
        "BASE_MODEL": str(MODEL),
        "RASA_URL": f"http://127.0.0.1:{rasa_port}",
        "RASA_AUTH_TOKEN": RASA_TOKEN,
        "TRACKER_STORE_URL": f"sqlite:///{workdir / 'tracker.db'}",
    }
    with (
        running_api(workdir, SECRET, settings_env) as api_url,
        running_assistant(api_url, workdir, rasa_port=rasa_port) as assistant,
    ):
        env = {
            **os.environ,
            **settings_env,
            "DATABASE_URL": f"sqlite:///{workdir / 'api.db'}",
            "SECRET_KEY": SECRET,
            "DEMO": "1",
        }
        worker = _worker(env, workdir / "worker.log")
        try:
            yield Stack(api_url, assistant, assistant_dir, workdir / "models", workdir)
        finally:
            worker.terminate()
            worker.wait(timeout=30)


def sign_in_token(api_url: str, username: str) -> str:
    """A policyholder's API token, as the account page gives the widget."""
    response = httpx.post(
        f"{api_url}/api/v1/auth/token", data={"username": username, "password": "demo"}
    )
    response.raise_for_status()
    return str(response.json()["access_token"])
