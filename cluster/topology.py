"""What runs where: hosts, the supervised processes, their commands, addresses and settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
API_PYTHON = ROOT / ".venv-api" / "bin" / "python"
BOT_PYTHON = ROOT / ".venv-bot" / "bin" / "python"

ENTRY_PORT = 8080  # nginx: the only public entry point
INTERNAL_API_PORT = 8090  # nginx: the API for action servers and model pulls
INTERNAL_ACTIONS_PORT = 8091  # nginx: the action servers, for the Rasa replicas
API_BASE_PORT = 8100
RASA_BASE_PORT = 5100
ACTIONS_BASE_PORT = 5200
STORE_PORTS = {"postgresql": 5432, "redis": 6379, "rabbitmq": 5672}
LOCK_STORE_DB = 1  # Redis database of the conversations' locks
API_REDIS_DB = 2  # Redis database of the API's shared state (sign-in throttle)
MODEL_PULL_SECONDS = 5


@dataclass(frozen=True)
class Host:
    """A machine of the topology: this one, or a network namespace standing for another."""

    name: str
    address: str
    namespace: str | None = None


LOCAL = Host("local", "127.0.0.1")


@dataclass(frozen=True)
class Counts:
    rasa: int = 2
    actions: int = 2
    api: int = 2


@dataclass(frozen=True)
class Stores:
    """Where the machine's stores are, as every process of the topology reaches them."""

    postgresql_host: str
    database: str
    tracker_database: str
    redis_host: str
    rabbitmq_host: str
    rabbitmq_user: str = "guest"
    rabbitmq_password: str = "guest"  # noqa: S105 - the machine's local RabbitMQ account
    event_queue: str = "vigilance_events"
    event_exchange: str = "vigilance-events"
    postgresql_user: str = "postgres"


@dataclass(frozen=True)
class Process:
    name: str
    kind: str
    host: Host
    port: int | None
    command: list[str]
    env: dict[str, str] = field(default_factory=dict)
    # supervisord: seconds a process must stay up to count as started; start order.
    start_seconds: int = 3
    priority: int = 500

    @property
    def address(self) -> str:
        return f"{self.host.address}:{self.port}" if self.port else "—"

    @property
    def full_command(self) -> list[str]:
        if self.host.namespace:
            return ["ip", "netns", "exec", self.host.namespace, *self.command]
        return self.command


@dataclass(frozen=True)
class Topology:
    state_dir: Path
    counts: Counts
    hosts: tuple[Host, ...]
    # Where the replicas reach nginx's internal listeners and the stores.
    internal_address: str
    stores: Stores
    secrets: dict[str, str]
    demo: bool
    processes: tuple[Process, ...] = ()
    # Ports on this machine's loopback (a test picks free ones beside a developer's cluster).
    entry_port: int = ENTRY_PORT
    api_base_port: int = API_BASE_PORT

    @property
    def entry_url(self) -> str:
        return f"http://127.0.0.1:{self.entry_port}"

    def of_kind(self, kind: str) -> list[Process]:
        return [p for p in self.processes if p.kind == kind]
