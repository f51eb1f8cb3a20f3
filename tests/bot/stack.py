"""Start the assistant's processes for tests and benchmarks: action server and Rasa server."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.bot.conftest import ROOT, free_port, wait_until_up

BOT_BIN = ROOT / ".venv-bot" / "bin"
MODEL = ROOT / "models" / "vigilance.tar.gz"


@dataclass(frozen=True)
class Assistant:
    url: str
    auth_token: str
    rasa_pid: int


@contextmanager
def running_assistant(api_url: str, secret: str, workdir: Path) -> Iterator[Assistant]:
    """The action server and a Rasa server on free loopback ports, stopped on exit."""
    if not MODEL.exists():
        raise RuntimeError("No trained model: run `make train` (make test does it).")
    actions_port, rasa_port = free_port(), free_port()
    auth_token = "test-rasa-token-0123456789"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "API_URL": api_url,
        "SECRET_KEY": secret,
        "SANIC_HOST": "127.0.0.1",
        "ACTION_SERVER_URL": f"http://127.0.0.1:{actions_port}/webhook",
        "TRACKER_STORE_URL": f"sqlite:///{workdir / 'tracker.db'}",
    }
    processes: list[subprocess.Popen[bytes]] = []
    try:
        actions = subprocess.Popen(
            [
                str(BOT_BIN / "python"),
                "-m",
                "rasa_sdk",
                "--actions",
                "actions",
                "--port",
                str(actions_port),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        processes.append(actions)
        rasa = subprocess.Popen(
            [
                str(BOT_BIN / "rasa"),
                "run",
                "--model",
                str(MODEL),
                "--enable-api",
                "--auth-token",
                auth_token,
                "--interface",
                "127.0.0.1",
                "--port",
                str(rasa_port),
                "--credentials",
                "credentials.yml",
                "--endpoints",
                "endpoints.yml",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        processes.append(rasa)
        wait_until_up(f"http://127.0.0.1:{actions_port}/health", actions)
        url = f"http://127.0.0.1:{rasa_port}"
        wait_until_up(f"{url}/webhooks/rest/", rasa, seconds=180)
        yield Assistant(url, auth_token, rasa.pid)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
