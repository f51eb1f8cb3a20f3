"""The processes of the topology: one function per kind, each with the settings it needs only."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from cluster.topology import (
    ACTIONS_BASE_PORT,
    API_PYTHON,
    API_REDIS_DB,
    BOT_PYTHON,
    INTERNAL_ACTIONS_PORT,
    INTERNAL_API_PORT,
    LOCAL,
    LOCK_STORE_DB,
    MODEL_PULL_SECONDS,
    RASA_BASE_PORT,
    ROOT,
    Process,
    Topology,
)

CLUSTER_ENDPOINTS = ROOT / "deploy" / "endpoints.cluster.yml"
# Without SMTP_HOST, emails go to the local sink (pages on 127.0.0.1:8025), as with `make run`.
LOCAL_SINK = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": "1025", "SMTP_TLS": "none"}


def api_environment(topology: Topology) -> dict[str, str]:
    """What every process of the API environment reads (API, workers, consumer)."""
    stores, secrets = topology.stores, topology.secrets
    pg = f"{stores.postgresql_user}@127.0.0.1:5432"
    return {
        "DEMO": "1" if topology.demo else "0",
        "DATABASE_URL": f"postgresql+psycopg://{pg}/{stores.database}",
        "TRACKER_STORE_URL": f"postgresql+psycopg://{pg}/{stores.tracker_database}",
        "SECRET_KEY": secrets["SECRET_KEY"],
        "ASSISTANT_CHANNEL_KEY": secrets["ASSISTANT_CHANNEL_KEY"],
        "ASSISTANT_SERVICE_KEY": secrets["ASSISTANT_SERVICE_KEY"],
        "MODEL_SERVER_TOKEN": secrets["MODEL_SERVER_TOKEN"],
        "RASA_AUTH_TOKEN": secrets["RASA_AUTH_TOKEN"],
        "MODEL_DISTRIBUTION": "pull",
        "REDIS_URL": f"redis://127.0.0.1:6379/{API_REDIS_DB}",
        "RABBITMQ_URL": f"amqp://{stores.rabbitmq_user}:{stores.rabbitmq_password}"
        "@127.0.0.1:5672/%2F",
        "EVENT_QUEUE": stores.event_queue,
        "EVENT_EXCHANGE": stores.event_exchange,
        "INBOX_SOURCE": "events",
        "ASSISTANT_URL": topology.entry_url,
        "FORWARDED_ALLOW_IPS": "127.0.0.1",
        "TRAINING_DIR": str(topology.state_dir / "training"),
        "MODELS_DIR": str(topology.state_dir / "models"),
        "PYTHONPATH": str(ROOT),
        **_mail_settings(),
    }


def _mail_settings() -> dict[str, str]:
    names = ("SMTP_HOST", "SMTP_PORT", "SMTP_TLS", "SMTP_USERNAME", "SMTP_PASSWORD",
             "SMTP_SENDER", "ACCOUNT_URL")  # fmt: skip
    given = {name: os.environ[name] for name in names if os.environ.get(name)}
    return given if "SMTP_HOST" in given else LOCAL_SINK


def api_processes(topology: Topology) -> list[Process]:
    env = api_environment(topology)
    processes = []
    for index in range(1, topology.counts.api + 1):
        port = topology.api_base_port + index
        trusted = env["FORWARDED_ALLOW_IPS"]
        command = [str(API_PYTHON), "-m", "uvicorn", "api.main:create_app", "--factory",
                   "--host", "127.0.0.1", "--port", str(port), "--no-access-log",
                   "--proxy-headers", "--forwarded-allow-ips", trusted]  # fmt: skip
        processes.append(Process(f"api-{index}", "api", LOCAL, port, command, env))
    workers = {
        "notifications": "api.notifications.worker",
        "training": "api.training.worker",
        "events": "api.events.consumer",
        "retention": "api.retention.worker",
    }
    if not os.environ.get("SMTP_HOST"):
        workers["mailsink"] = "api.notifications.sink"
    for kind, module in workers.items():
        processes.append(Process(kind, kind, LOCAL, None, [str(API_PYTHON), "-m", module], env))
    return processes


def rasa_processes(topology: Topology) -> list[Process]:
    stores, secrets, internal = topology.stores, topology.secrets, topology.internal_address
    processes = []
    for index in range(1, topology.counts.rasa + 1):
        host = topology.hosts[(index - 1) % len(topology.hosts)]
        port = RASA_BASE_PORT + index
        pg = f"{stores.postgresql_user}@{stores.postgresql_host}:5432"
        env = {
            "PYTHONPATH": str(ROOT),
            "RASA_TELEMETRY_ENABLED": "false",
            "ASSISTANT_CHANNEL_KEY": secrets["ASSISTANT_CHANNEL_KEY"],
            "ACTION_SERVER_URL": f"http://{internal}:{INTERNAL_ACTIONS_PORT}/webhook",
            "ACTION_SERVER_TOKEN": secrets["ACTION_SERVER_TOKEN"],
            "TRACKER_STORE_URL": f"postgresql://{pg}/{stores.tracker_database}",
            # Rasa's pool is 50 + 100 per process by default: more than PostgreSQL allows.
            "SQL_POOL_SIZE": "5",
            "SQL_MAX_OVERFLOW": "10",
            "LOCK_STORE_HOST": stores.redis_host,
            "LOCK_STORE_PORT": "6379",
            "LOCK_STORE_DB": str(LOCK_STORE_DB),
            "LOCK_STORE_PASSWORD": "",  # the machine's Redis asks for none
            "RABBITMQ_HOST": stores.rabbitmq_host,
            "RABBITMQ_USERNAME": stores.rabbitmq_user,
            "RABBITMQ_PASSWORD": stores.rabbitmq_password,
            "EVENT_QUEUE": stores.event_queue,
            "EVENT_EXCHANGE": stores.event_exchange,
            "MODEL_SERVER_URL": f"http://{internal}:{INTERNAL_API_PORT}/internal/model",
            "MODEL_SERVER_TOKEN": secrets["MODEL_SERVER_TOKEN"],
            "MODEL_PULL_SECONDS": str(MODEL_PULL_SECONDS),
            "RASA_REPLICA_NAME": f"rasa-{index}",
            "SOCKETIO_TRANSPORTS": "websocket",
            "WIDGET_ORIGINS": f"{topology.entry_url},http://localhost:{topology.entry_port}",
            "HOME": str(topology.state_dir / f"rasa-{index}"),
        }
        command = [str(BOT_PYTHON), "-m", "bot.server", "run", "--enable-api",
                   "--auth-token", secrets["RASA_AUTH_TOKEN"],
                   "--interface", host.address, "--port", str(port),
                   "--credentials", str(ROOT / "credentials.yml"),
                   "--endpoints", str(CLUSTER_ENDPOINTS)]  # fmt: skip
        processes.append(
            Process(f"rasa-{index}", "rasa", host, port, command, env, start_seconds=5)
        )
    return processes


def action_processes(topology: Topology) -> list[Process]:
    secrets, internal = topology.secrets, topology.internal_address
    processes = []
    for index in range(1, topology.counts.actions + 1):
        host = topology.hosts[(index - 1) % len(topology.hosts)]
        port = ACTIONS_BASE_PORT + index
        env = {
            "PYTHONPATH": str(ROOT),
            "ASSISTANT_SERVICE_KEY": secrets["ASSISTANT_SERVICE_KEY"],
            "ACTION_SERVER_TOKEN": secrets["ACTION_SERVER_TOKEN"],
            "API_URL": f"http://{internal}:{INTERNAL_API_PORT}",
        }
        command = [str(BOT_PYTHON), "-m", "actions.server",
                   "--host", host.address, "--port", str(port)]  # fmt: skip
        processes.append(Process(f"actions-{index}", "actions", host, port, command, env))
    return processes


def nginx_process(topology: Topology, config: Path) -> Process:
    command = ["nginx", "-c", str(config), "-p", str(topology.state_dir / "nginx")]
    return Process("nginx", "nginx", LOCAL, topology.entry_port, command, priority=100)


def with_processes(topology: Topology, nginx_config: Path) -> Topology:
    processes = [
        nginx_process(topology, nginx_config),
        *api_processes(topology),
        *action_processes(topology),
        *rasa_processes(topology),
    ]
    return replace(topology, processes=tuple(processes))
