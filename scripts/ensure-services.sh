#!/usr/bin/env bash
# Start the machine's services the project uses, if they are installed but stopped.
# Usage: scripts/ensure-services.sh [postgresql] [redis] [rabbitmq]   (default: postgresql)
set -euo pipefail

wait_for() {  # wait_for NAME COMMAND...
  local name=$1; shift
  for _ in $(seq 1 60); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 1
  done
  echo "$name ne répond pas : les tests et la grappe qui en ont besoin ne peuvent pas tourner." >&2
  exit 1
}

postgresql() {
  pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null && return 0
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    echo "Démarrage de PostgreSQL…"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || true
  fi
  wait_for "PostgreSQL (127.0.0.1:5432)" pg_isready -q -h 127.0.0.1 -p 5432
}

redis() {
  redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG && return 0
  if command -v redis-server >/dev/null 2>&1; then
    echo "Démarrage de Redis…"
    mkdir -p /var/lib/redis /var/log/redis
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log
  fi
  wait_for "Redis (127.0.0.1:6379)" sh -c 'redis-cli -h 127.0.0.1 -p 6379 ping | grep -q PONG'
}

rabbitmq() {
  if (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null; then return 0; fi
  if command -v rabbitmq-server >/dev/null 2>&1; then
    echo "Démarrage de RabbitMQ…"
    rabbitmq-server -detached || true
  fi
  wait_for "RabbitMQ (127.0.0.1:5672)" bash -c 'exec 3<>/dev/tcp/127.0.0.1/5672'
}

for service in "${@:-postgresql}"; do
  case "$service" in
    postgresql|redis|rabbitmq) "$service" ;;
    *) echo "Service inconnu : $service" >&2; exit 2 ;;
  esac
done
