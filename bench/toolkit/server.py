"""The real API under uvicorn in a subprocess, on a free local port, with the bench's settings."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from api.core.config import PROJECT_ROOT, Settings

HOST = "127.0.0.1"
SERVER_START_TIMEOUT_S = 60.0
REQUEST_TIMEOUT_S = 30.0
# Secrets are required outside demo mode; these serve local benches only.
SECRET_KEY = "bench-secret-key-not-for-production-0042"  # noqa: S105
CHANNEL_KEY = "bench-channel-key-not-for-production-0042"
SERVICE_KEY = "bench-service-key-not-for-production-0042"


def free_port() -> int:
    """A port nobody listens on, for a server of this run."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def local_client(
    base_url: str, *, timeout: float = REQUEST_TIMEOUT_S, follow_redirects: bool = False
) -> httpx.Client:
    """A keep-alive client that talks to the local server only (no proxy from the environment)."""
    return httpx.Client(
        base_url=base_url, timeout=timeout, follow_redirects=follow_redirects, trust_env=False
    )


def bench_settings(database_url: str) -> Settings:
    """The settings the bench server runs with, to sign its tokens in the bench itself."""
    return Settings(
        database_url=database_url,
        secret_key=SECRET_KEY,
        assistant_channel_key=CHANNEL_KEY,
        assistant_service_key=SERVICE_KEY,
        demo=False,
    )


@dataclass(frozen=True)
class Server:
    """The running uvicorn subprocess."""

    base_url: str
    pid: int


def _wait_until_healthy(base_url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    """Poll /healthz until the server answers 200, or fail with the end of its log."""
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    with local_client(base_url) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"uvicorn s'est arrêté :\n{log_path.read_text()[-2000:]}")
            try:
                if client.get("/healthz").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
    raise RuntimeError(f"uvicorn ne répond pas sur {base_url}/healthz")


@contextmanager
def running_api(database_url: str, log_path: Path, **settings: str) -> Iterator[Server]:
    """The app on `database_url`, with more `settings` (environment variables), while it runs;
    stopped after, even on error."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": SECRET_KEY,
        "ASSISTANT_CHANNEL_KEY": CHANNEL_KEY,
        "ASSISTANT_SERVICE_KEY": SERVICE_KEY,
        "DEMO": "0",
        **settings,
    }
    command = [sys.executable, "-m", "uvicorn", "api.main:create_app", "--factory"]
    command += ["--host", HOST, "--port", str(port), "--no-access-log", "--log-level", "warning"]
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w") as log:
        process = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            base_url = f"http://{HOST}:{port}"
            _wait_until_healthy(base_url, process, log_path)
            yield Server(base_url, process.pid)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
