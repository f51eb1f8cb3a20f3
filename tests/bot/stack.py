"""Start the assistant's processes for tests and benchmarks: action server and Rasa server."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from contract.tokens import derive_key

ROOT = Path(__file__).resolve().parents[2]
API_PYTHON = ROOT / ".venv-api" / "bin" / "python"
BOT_BIN = ROOT / ".venv-bot" / "bin"
MODEL = ROOT / "models" / "vigilance.tar.gz"

TEST_SECRET = "bot-test-secret-0123456789-abcdefghijklmnop"
# Every key of the trust boundary (contract/tokens.py), given explicitly to every process.
TEST_KEYS = {
    "SECRET_KEY": TEST_SECRET,
    "ASSISTANT_CHANNEL_KEY": derive_key(TEST_SECRET, "assistant-channel"),
    "ASSISTANT_SERVICE_KEY": derive_key(TEST_SECRET, "assistant-service"),
    "ACTION_SERVER_TOKEN": "test-action-server-token-0123456789",
}


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


def _stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


@contextmanager
def running_api(
    workdir: Path,
    secret: str,
    extra_env: dict[str, str] | None = None,
    *,
    after_seed: Sequence[Sequence[str]] = (),
) -> Iterator[str]:
    """The real API (API environment) over a fresh SQLite database with the demo data.

    `after_seed`: API-environment modules with their arguments (`["bench.x", "arg"]`), run in
    that order after the demo seed, with the API's environment (more people, more claims).
    """
    env = {
        **os.environ,
        **TEST_KEYS,
        "DATABASE_URL": f"sqlite:///{workdir / 'api.db'}",
        "SECRET_KEY": secret,
        "DEMO": "1",
        **(extra_env or {}),
    }
    for module, *args in (("api.core.migrate",), ("api.demo.seed",), *after_seed):
        subprocess.run(
            [str(API_PYTHON), "-m", module, *args],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
    port = free_port()
    process = subprocess.Popen(
        [str(API_PYTHON), "-m", "uvicorn", "api.main:create_app", "--factory",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_up(f"{url}/healthz", process)
        yield url
    finally:
        _stop([process])


@dataclass(frozen=True)
class Assistant:
    url: str
    auth_token: str
    rasa_pid: int
    actions_url: str
    tracker_path: Path


@contextmanager
def running_assistant(
    api_url: str,
    workdir: Path,
    rasa_port: int | None = None,
    *,
    actions_port: int | None = None,
    action_server_url: str | None = None,
    rasa_env: dict[str, str] | None = None,
) -> Iterator[Assistant]:
    """The action server and a Rasa server on free loopback ports, stopped on exit.

    The API's pages (`api_url`) are the one origin allowed to open the widget's socket. A test
    may have Rasa reach the action server elsewhere (`action_server_url`, a proxy in front of
    `actions_port`) and give Rasa settings of its own (`rasa_env`: another tracker store).
    """
    if not MODEL.exists():
        raise RuntimeError("No trained model: run `make train` (make test does it).")
    actions_port, rasa_port = actions_port or free_port(), rasa_port or free_port()
    auth_token = "test-rasa-token-0123456789"
    env = {
        **{k: v for k, v in os.environ.items() if k != "SECRET_KEY"},
        **{k: v for k, v in TEST_KEYS.items() if k != "SECRET_KEY"},
        "PYTHONPATH": str(ROOT),
        "API_URL": api_url,
        "SANIC_HOST": "127.0.0.1",
        "ACTION_SERVER_URL": action_server_url or f"http://127.0.0.1:{actions_port}/webhook",
        "TRACKER_STORE_URL": f"sqlite:///{workdir / 'tracker.db'}",
        "WIDGET_ORIGINS": api_url,
    }
    processes: list[subprocess.Popen[bytes]] = []
    try:
        actions = subprocess.Popen(
            [str(BOT_BIN / "python"), "-m", "actions.server", "--port", str(actions_port)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        processes.append(actions)
        rasa = subprocess.Popen(
            [
                str(BOT_BIN / "python"),
                "-m",
                "bot.server",
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
                "--cors",
                api_url,
            ],
            cwd=ROOT,
            env={**env, **(rasa_env or {})},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        processes.append(rasa)
        wait_until_up(f"http://127.0.0.1:{actions_port}/health", actions)
        url = f"http://127.0.0.1:{rasa_port}"
        wait_until_up(f"{url}/webhooks/rest/", rasa, seconds=180)
        actions_url = f"http://127.0.0.1:{actions_port}"
        yield Assistant(url, auth_token, rasa.pid, actions_url, workdir / "tracker.db")
    finally:
        _stop(processes)
