"""Rasa's command line with the project's fixes installed: `python -m bot.server run …`.

Used for the Rasa server (Procfile, cluster, tests, benchmarks) instead of the `rasa` script:
- `bot.speedups`: the same outcomes for less CPU per turn;
- `bot.resilience`: an answer for every message when a backend fails, no silent in-memory
  tracker, no credential in stored metadata, short action timeouts;
- `bot.sessions`: a long session at rest starts afresh, so a turn's cost stays bounded;
- `bot.delivery`: a message sent again with the same id is answered again, not handled twice;
- the web server: request bodies capped (refused in French), security headers on every answer,
  and files it creates (a SQLite tracker store, its journal) readable by its own user only.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from bot import delivery, resilience, sessions, speedups
from bot.channels.messages import MAX_BODY_BYTES

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}
TOO_LARGE = "La requête est trop volumineuse."


def private_tracker_file() -> None:
    """A SQLite tracker store holds conversations: 0600, its journal files too (umask)."""
    os.umask(0o077)
    url = os.environ.get("TRACKER_STORE_URL", "")
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600, exist_ok=True)
        for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            if candidate.exists():
                candidate.chmod(0o600)


def harden_app(app: Any) -> Any:
    """Cap bodies, answer the cap in French, add security headers to every response."""
    from sanic import response
    from sanic.exceptions import PayloadTooLarge

    app.config.REQUEST_MAX_SIZE = MAX_BODY_BYTES

    async def too_large(request: Any, exception: Exception) -> Any:
        return response.json({"detail": TOO_LARGE}, status=413)

    app.error_handler.add(PayloadTooLarge, too_large)

    async def security_headers(request: Any, answer: Any) -> None:
        for name, value in SECURITY_HEADERS.items():
            answer.headers.setdefault(name, value)

    app.register_middleware(security_headers, "response")
    return app


def install() -> None:
    speedups.install()
    resilience.install()
    sessions.install()
    delivery.install()
    private_tracker_file()
    import rasa.core.run

    configure_app = rasa.core.run.configure_app

    def configured(*args: Any, **kwargs: Any) -> Any:
        return harden_app(configure_app(*args, **kwargs))

    rasa.core.run.configure_app = configured


def main() -> None:
    install()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
