#!/usr/bin/env bash
# Vendor axe-core (the accessibility rules engine the browser tests run in each page) from the
# npm registry, at build time, like socket.io. Tests only: the file goes under tests/vendor/ and
# is never served to users. Usage: scripts/vendor-axe.sh VERSION DEST
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
(cd "$WORK" && npm pack --silent "axe-core@$VERSION" >/dev/null)
tar -xzf "$WORK"/axe-core-"$VERSION".tgz -C "$WORK"
# Check the package is the one asked for, and that its bundle is there and names that version.
NAME_VERSION=$(node -e 'const p = require(process.argv[1]); console.log(p.name + "@" + p.version)' \
  "$WORK/package/package.json" 2>/dev/null || true)
if [ -n "$NAME_VERSION" ] && [ "$NAME_VERSION" != "axe-core@$VERSION" ]; then
  echo "paquet inattendu : $NAME_VERSION au lieu de axe-core@$VERSION" >&2
  exit 1
fi
if [ ! -s "$WORK/package/axe.min.js" ] || ! grep -q "axe v$VERSION" "$WORK/package/axe.min.js"; then
  echo "axe.min.js manque dans axe-core@$VERSION ou n'en porte pas la version." >&2
  exit 1
fi
mkdir -p "$(dirname "$DEST")"
cp "$WORK/package/axe.min.js" "$DEST.tmp"
cp "$WORK/package/LICENSE" "$(dirname "$DEST")/axe-core.LICENSE"
mv "$DEST.tmp" "$DEST"
