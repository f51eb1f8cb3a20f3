#!/usr/bin/env bash
# Print the path of a Python 3.10 interpreter (Rasa 3.6 needs it), or fail with a clear message.
set -euo pipefail

for candidate in python3.10 "$HOME"/.pyenv/versions/3.10*/bin/python3.10 /usr/bin/python3.10 \
                 /usr/local/bin/python3.10; do
  if path=$(command -v "$candidate" 2>/dev/null) && "$path" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; then
    echo "$path"
    exit 0
  fi
done
echo "Python 3.10 est introuvable : l'assistant (Rasa 3.6) en a besoin." >&2
exit 1
