#!/usr/bin/env bash
# Vendor Swagger UI's assets for /docs, from the npm registry, at install time (the API's
# documentation never loads a script from a CDN). Usage: scripts/vendor-swagger.sh VERSION DIR
# DIR receives swagger-ui-bundle.js, swagger-ui.css, favicon-32x32.png and the licence; the
# bundle is written last, so its presence means the others are there.
set -euo pipefail

VERSION=$1
DEST=${2%/}
if ! command -v npm >/dev/null 2>&1; then
  echo "npm manque : installez le paquet Debian « npm » (apt-get install npm)." >&2
  exit 1
fi
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
# npm checks the tarball against the registry's integrity hash.
(cd "$WORK" && npm pack --silent "swagger-ui-dist@$VERSION" >/dev/null)
tar -xzf "$WORK"/swagger-ui-dist-"$VERSION".tgz -C "$WORK"
mkdir -p "$DEST"
cp "$WORK/package/swagger-ui.css" "$WORK/package/favicon-32x32.png" "$DEST/"
cp "$WORK/package/LICENSE" "$DEST/swagger-ui.LICENSE"
if [ -f "$WORK/package/NOTICE" ]; then
  cp "$WORK/package/NOTICE" "$DEST/swagger-ui.NOTICE"
fi
cp "$WORK/package/swagger-ui-bundle.js" "$DEST/swagger-ui-bundle.js.tmp"
mv "$DEST/swagger-ui-bundle.js.tmp" "$DEST/swagger-ui-bundle.js"
