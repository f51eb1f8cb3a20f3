#!/usr/bin/env bash
# Install Debian's Chromium for the browser tests, if it is missing (Playwright drives it;
# no browser build is ever downloaded by Playwright itself).
set -euo pipefail

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null 2>&1; then
  echo "Chromium manque ($CHROMIUM) : installez le paquet Debian « chromium » (apt-get install chromium)." >&2
  exit 1
fi
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "Installation de Chromium (paquet Debian)…"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
if [ ! -x "$CHROMIUM" ]; then
  echo "Chromium n'a pas pu être installé : les tests du navigateur ne peuvent pas tourner." >&2
  exit 1
fi
