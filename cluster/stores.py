"""The machine's stores for a topology: services started if stopped, databases, secrets."""

from __future__ import annotations

import os
import secrets
import subprocess
from pathlib import Path

import pika
import psycopg
from psycopg import sql

from cluster.topology import ROOT

SECRET_NAMES = (
    "SECRET_KEY",
    "ASSISTANT_CHANNEL_KEY",
    "ASSISTANT_SERVICE_KEY",
    "ACTION_SERVER_TOKEN",
    "MODEL_SERVER_TOKEN",
    "RASA_AUTH_TOKEN",
)
ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def ensure_services() -> None:
    """PostgreSQL, Redis and RabbitMQ of the machine, started by the project's script."""
    script = ROOT / "scripts" / "ensure-services.sh"
    subprocess.run([str(script), "postgresql", "redis", "rabbitmq"], check=True)  # noqa: S603


def create_databases(*names: str) -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
        for name in names:
            exists = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
            ).fetchone()
            if not exists:
                connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_databases(*names: str) -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
        for name in names:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def load_secrets(path: Path) -> dict[str, str]:
    """The topology's secrets: drawn once, kept in a file only its owner can read."""
    found: dict[str, str] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            name, _, value = line.partition("=")
            if name in SECRET_NAMES and value:
                found[name] = value
    missing = [name for name in SECRET_NAMES if name not in found]
    if missing:
        found.update({name: secrets.token_urlsafe(48) for name in missing})
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.writelines(f"{name}={found[name]}\n" for name in SECRET_NAMES)
    return found


def delete_event_stream(queue: str, exchange: str) -> None:
    """A throwaway topology's queues and exchange on the machine's RabbitMQ."""
    parameters = pika.URLParameters("amqp://guest:guest@127.0.0.1:5672/%2F")
    connection = pika.BlockingConnection(parameters)
    try:
        channel = connection.channel()
        for name in (queue, f"{queue}.dead_letter"):
            channel.queue_delete(name)
        channel.exchange_delete(exchange)
    finally:
        connection.close()
