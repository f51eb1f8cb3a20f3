"""Start, inspect and stop a topology under supervisord."""

from __future__ import annotations

import json
import os
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx

from cluster import netns, processes, render, stores
from cluster.topology import (
    API_BASE_PORT,
    API_PYTHON,
    ENTRY_PORT,
    LOCAL,
    ROOT,
    Counts,
    Host,
    Stores,
    Topology,
)

SUPERVISORD = ROOT / ".venv-api" / "bin" / "supervisord"
SUPERVISORCTL = ROOT / ".venv-api" / "bin" / "supervisorctl"
BASE_MODEL = ROOT / "models" / "vigilance.tar.gz"
READY_SECONDS = 240


@dataclass(frozen=True)
class Options:
    state_dir: Path
    counts: Counts
    hosts: int = 0  # 0: every process on this machine's loopback
    database: str = "vigilance_cluster"
    tracker_database: str = "vigilance_cluster_tracker"
    event_queue: str = "vigilance_events"
    event_exchange: str = "vigilance-events"
    demo: bool = True
    entry_port: int = ENTRY_PORT
    api_base_port: int = API_BASE_PORT


def _run(command: list[str], env: dict[str, str]) -> None:
    subprocess.run(command, cwd=ROOT, env={**os.environ, **env}, check=True)  # noqa: S603


def plan(options: Options) -> tuple[Topology, netns.Network | None]:
    network = netns.plan(netns.free_tag(), options.hosts) if options.hosts else None
    inside = network.gateway if network else LOCAL.address
    topology = Topology(
        state_dir=options.state_dir,
        counts=options.counts,
        hosts=network.hosts if network else (LOCAL,),
        internal_address=inside,
        stores=Stores(
            postgresql_host=inside,
            database=options.database,
            tracker_database=options.tracker_database,
            redis_host=inside,
            rabbitmq_host=inside,
            event_queue=options.event_queue,
            event_exchange=options.event_exchange,
        ),
        secrets=stores.load_secrets(options.state_dir / "secrets.env"),
        demo=options.demo,
        entry_port=options.entry_port,
        api_base_port=options.api_base_port,
    )
    return processes.with_processes(topology, options.state_dir / "nginx.conf"), network


def prepare(topology: Topology) -> None:
    """Services, databases, schema, demo data and the base model in service."""
    stores.ensure_services()
    stores.create_databases(topology.stores.database, topology.stores.tracker_database)
    env = processes.api_environment(topology)
    _run([str(API_PYTHON), "-m", "api.core.migrate"], env)
    if topology.demo:
        _run([str(API_PYTHON), "-m", "api.demo.seed"], env)
    if BASE_MODEL.exists():
        _run([str(API_PYTHON), "-m", "api.training.publish", str(BASE_MODEL)], env)


def _save_layout(topology: Topology, network: netns.Network | None) -> None:
    layout = {
        "processes": [
            {"name": p.name, "kind": p.kind, "address": p.address} for p in topology.processes
        ],
        "network": asdict(network) if network else None,
    }
    (topology.state_dir / "topology.json").write_text(json.dumps(layout, indent=2))


def start(topology: Topology, network: netns.Network | None) -> None:
    if network:
        netns.create(network)
    render.write_nginx(topology, topology.state_dir / "nginx.conf")
    render.write_supervisord(topology, topology.state_dir / "supervisord.conf")
    _save_layout(topology, network)
    nginx = ["nginx", "-t", "-q", "-c", str(topology.state_dir / "nginx.conf"),
             "-p", str(topology.state_dir / "nginx")]  # fmt: skip
    subprocess.run(nginx, check=True)  # noqa: S603
    subprocess.run([str(SUPERVISORD), "-c", str(topology.state_dir / "supervisord.conf")],  # noqa: S603
                   check=True)  # fmt: skip


def _ready(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def wait_until_ready(topology: Topology, seconds: float = READY_SECONDS) -> None:
    """Every API process, action server and Rasa replica (model loaded) answers, and nginx."""
    probes = [f"{topology.entry_url}/healthz"]
    probes += [f"http://{p.address}/healthz" for p in topology.of_kind("api")]
    probes += [f"http://{p.address}/health" for p in topology.of_kind("actions")]
    probes += [f"http://{p.address}/webhooks/rest/" for p in topology.of_kind("rasa")]
    deadline = time.monotonic() + seconds
    waiting = list(probes)
    while waiting and time.monotonic() < deadline:
        waiting = [url for url in waiting if not _ready(url)]
        if waiting:
            time.sleep(1)
    if waiting:
        raise RuntimeError(f"la grappe n'a pas démarré dans les temps : {', '.join(waiting)}")


def up(options: Options) -> Topology:
    topology, network = plan(options)
    prepare(topology)
    start(topology, network)
    wait_until_ready(topology)
    return topology


def supervisor_status(state_dir: Path) -> dict[str, tuple[str, str]]:
    """Each program's (state, pid) as supervisord tells it."""
    conf = state_dir / "supervisord.conf"
    result = subprocess.run(  # noqa: S603
        [str(SUPERVISORCTL), "-c", str(conf), "status"], capture_output=True, text=True
    )
    found: dict[str, tuple[str, str]] = {}
    for line in result.stdout.splitlines():
        parts = line.split()
        if len(parts) >= 2:
            pid = parts[3].rstrip(",") if len(parts) > 3 and parts[2] == "pid" else "—"
            found[parts[0]] = (parts[1], pid)
    return found


def status_lines(state_dir: Path) -> list[str]:
    layout_file = state_dir / "topology.json"
    if not layout_file.exists():
        return ["Aucune grappe démarrée (make cluster)."]
    layout = json.loads(layout_file.read_text())
    states = supervisor_status(state_dir)
    lines = [f"{'processus':<16}{'type':<15}{'adresse':<22}{'pid':<9}état"]
    for process in layout["processes"]:
        state, pid = states.get(process["name"], ("ARRÊTÉ", "—"))
        lines.append(
            f"{process['name']:<16}{process['kind']:<15}{process['address']:<22}{pid:<9}{state}"
        )
    return lines


def stop(state_dir: Path) -> None:
    conf = state_dir / "supervisord.conf"
    pid_file = state_dir / "supervisord.pid"
    if conf.exists() and pid_file.exists():
        subprocess.run([str(SUPERVISORCTL), "-c", str(conf), "shutdown"],  # noqa: S603
                       capture_output=True)  # fmt: skip
        deadline = time.monotonic() + 60
        while pid_file.exists() and time.monotonic() < deadline:
            time.sleep(0.5)
    layout_file = state_dir / "topology.json"
    if layout_file.exists():
        network = json.loads(layout_file.read_text()).get("network")
        if network:
            hosts = tuple(Host(h["name"], h["address"], h["namespace"]) for h in network["hosts"])
            netns.remove(netns.Network(network["tag"], hosts))
        layout_file.unlink()
