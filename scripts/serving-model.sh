#!/usr/bin/env bash
# Prints the model the Rasa server should start with: the one a trainer last put in service
# (written by the workbench to $MODELS_DIR/in-service, models/ by default), else the one
# `make train` builds.
set -euo pipefail
cd "$(dirname "$0")/.."
chosen="$(head -n 1 "${MODELS_DIR:-models}/in-service" 2>/dev/null || true)"
if [[ -n "$chosen" && -f "$chosen" ]]; then
    echo "$chosen"
else
    echo "models/vigilance.tar.gz"
fi
