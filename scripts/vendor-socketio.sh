#!/usr/bin/env bash
# Vendor the socket.io browser client for the chat widget, from the npm registry, at install
# time (pages never load a script from a CDN). Usage: scripts/vendor-socketio.sh VERSION DEST
set -euo pipefail

VERSION=$1
DEST=$2
if ! command -v npm >/dev/null 2>&1; then
  echo "npm manque : installez le paquet Debian « npm » (apt-get install npm)." >&2
  exit 1
fi
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
# npm checks the tarball against the registry's integrity hash.
(cd "$WORK" && npm pack --silent "socket.io-client@$VERSION" >/dev/null)
tar -xzf "$WORK"/socket.io-client-"$VERSION".tgz -C "$WORK"
mkdir -p "$(dirname "$DEST")"
cp "$WORK/package/dist/socket.io.min.js" "$DEST.tmp"
cp "$WORK/package/LICENSE" "$(dirname "$DEST")/socket.io-client.LICENSE"
mv "$DEST.tmp" "$DEST"
