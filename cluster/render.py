"""The configuration files of one topology: nginx's and supervisord's, written 0600."""

from __future__ import annotations

import os
import shlex
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from cluster.topology import (
    INTERNAL_ACTIONS_PORT,
    INTERNAL_API_PORT,
    ROOT,
    STORE_PORTS,
    Process,
    Topology,
)

TEMPLATES = Path(__file__).resolve().parent / "templates"
# Configuration files, not HTML: nothing to escape, and nothing in them comes from users.
_jinja = Environment(  # noqa: S701
    loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined, keep_trailing_newline=True
)


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(path.suffix + ".tmp")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(text)
    partial.replace(path)


def _supervisor_value(value: str) -> str:
    """A value in supervisord's `environment=` syntax (it interpolates `%`)."""
    escaped = value.replace("%", "%%").replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _program(process: Process) -> dict[str, object]:
    command = " ".join(shlex.quote(part) for part in process.full_command).replace("%", "%%")
    environment = ",".join(f"{k}={_supervisor_value(v)}" for k, v in sorted(process.env.items()))
    return {
        "name": process.name,
        "command": command,
        "environment": environment or 'LANG="C.UTF-8"',
        "priority": process.priority,
        "start_seconds": process.start_seconds,
    }


def store_forwards(topology: Topology) -> list[tuple[str, str]]:
    """nginx stream listeners that carry the stores over the hosts' links (namespaces only)."""
    if topology.internal_address.startswith("127."):
        return []
    return [
        (f"{topology.internal_address}:{port}", f"127.0.0.1:{port}")
        for port in STORE_PORTS.values()
    ]


def write_nginx(topology: Topology, path: Path) -> None:
    for folder in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (topology.state_dir / "nginx" / folder).mkdir(parents=True, exist_ok=True)
    text = _jinja.get_template("nginx.conf.j2").render(
        state=topology.state_dir,
        entry_port=topology.entry_port,
        internal=topology.internal_address,
        internal_api_port=INTERNAL_API_PORT,
        internal_actions_port=INTERNAL_ACTIONS_PORT,
        api=topology.of_kind("api"),
        rasa=topology.of_kind("rasa"),
        actions=topology.of_kind("actions"),
        forwards=store_forwards(topology),
        own_temp=os.geteuid() != 0,
    )
    _write_private(path, text)


def write_supervisord(topology: Topology, path: Path) -> None:
    (topology.state_dir / "logs").mkdir(parents=True, exist_ok=True)
    text = _jinja.get_template("supervisord.conf.j2").render(
        state=topology.state_dir,
        root=ROOT,
        processes=[_program(p) for p in topology.processes],
    )
    _write_private(path, text)
