#!/usr/bin/env bash
# Install Debian's nginx and its stream module, if missing (the cluster's load balancer; the
# cluster test forwards the stores with the stream module). nginx is never started as a
# service: each topology runs its own, with its own configuration, under supervisord.
set -euo pipefail

MODULE=/usr/lib/nginx/modules/ngx_stream_module.so
if command -v nginx >/dev/null 2>&1 && [ -f "$MODULE" ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null 2>&1; then
  echo "nginx manque : installez les paquets Debian « nginx » et « libnginx-mod-stream »." >&2
  exit 1
fi
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "Installation de nginx (paquet Debian)…"
$SUDO apt-get update -qq
# policy-rc.d: the package must not start a system-wide nginx on port 80.
echo 'exit 101' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
$SUDO chmod +x /usr/sbin/policy-rc.d
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nginx libnginx-mod-stream >/dev/null
$SUDO rm -f /usr/sbin/policy-rc.d
if ! command -v nginx >/dev/null 2>&1; then
  echo "nginx n'a pas pu être installé : la grappe ne peut pas démarrer." >&2
  exit 1
fi
