"""The cluster's nginx passes the conversation a replica sends to an action server (~40 KB) from
memory: nothing of it is written to a temporary file (text typed by people stays off the disk,
and a body read back from a file reached the action server about 40 ms late)."""

import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import httpx
import pytest

from cluster import render
from tests.bot.stack import free_port


@dataclass(frozen=True)
class Upstream:
    address: str


class _Recorder(BaseHTTPRequestHandler):
    received: ClassVar[list[bytes]] = []

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        self.received.append(self.rfile.read(length))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def action_server() -> Iterator[tuple[str, list[bytes]]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    _Recorder.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_address[1]}", _Recorder.received
    server.shutdown()


def _wait_listening(port: int) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError(f"nginx does not listen on {port}")


def test_a_conversation_reaches_the_action_server_without_touching_the_disk(
    tmp_path: Path, action_server: tuple[str, list[bytes]]
) -> None:
    nginx = shutil.which("nginx")
    if nginx is None:
        pytest.skip("nginx is not installed here (make nginx installs Debian's)")
    address, received = action_server
    actions_port = free_port()
    for folder in ("logs", "nginx/body", "nginx/proxy"):
        (tmp_path / folder).mkdir(parents=True)
    unused = [Upstream(f"127.0.0.1:{free_port()}")]
    conf = tmp_path / "nginx.conf"
    text = render._jinja.get_template("nginx.conf.j2").render(
        state=tmp_path, entry_port=free_port(), internal="127.0.0.1",
        internal_api_port=free_port(), internal_actions_port=actions_port, api=unused,
        rasa=unused, actions=[Upstream(address)], forwards=[], own_temp=True,
    )  # fmt: skip
    conf.write_text(text)
    # Workers as this user, so that a body written to a file would be written, and seen.
    running = subprocess.Popen([nginx, "-p", str(tmp_path), "-c", str(conf), "-g", "user root;"])
    try:
        _wait_listening(actions_port)
        conversation = '{"events": [' + ",".join(['{"event": "user", "text": "é"}'] * 1500)
        body = (conversation + "]}").encode()
        assert len(body) > 40_000
        answer = httpx.post(f"http://127.0.0.1:{actions_port}/webhook", content=body, timeout=10)
        assert answer.status_code == 200
        assert received == [body]
    finally:
        running.terminate()
        running.wait(timeout=10)
    assert list((tmp_path / "nginx" / "body").iterdir()) == []
    log = (tmp_path / "logs" / "nginx-error.log").read_text()
    assert "buffered to a temporary file" not in log, log
