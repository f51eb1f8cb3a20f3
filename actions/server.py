"""The action server, reachable only by the Rasa servers: `python -m actions.server --port 5055`.

rasa-sdk's own server answers anyone (it has no authentication, allows every origin, and echoes
the whole conversation back in its error answers). This one runs the same executor behind a
shared secret: Rasa sends `Authorization: Bearer $ACTION_SERVER_TOKEN` (endpoints.yml), anything
else gets 401. `/health` stays open for probes. Errors are logged by kind, never with the
conversation, which holds health data.
"""

from __future__ import annotations

import argparse
import hmac
import json
import logging
import os
import traceback
import zlib
from typing import Any, cast

from rasa_sdk import utils
from rasa_sdk.executor import ActionExecutor
from rasa_sdk.interfaces import ActionExecutionRejection, ActionNotFoundException
from rasa_sdk.types import ActionCall
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

logger = logging.getLogger("actions.server")

TOKEN_ENV = "ACTION_SERVER_TOKEN"  # noqa: S105 - the variable's name, not a secret
MIN_TOKEN_CHARS = 24
OPEN_PATHS = frozenset({"/health"})
# A long conversation's tracker travels on every call.
MAX_BODY_BYTES = 16 * 1024 * 1024


def server_token() -> str:
    token = os.environ.get(TOKEN_ENV, "")
    if len(token) < MIN_TOKEN_CHARS:
        raise RuntimeError(f"{TOKEN_ENV} must be set ({MIN_TOKEN_CHARS} characters or more)")
    return token


def _action_call(request: Request) -> Any:
    body = request.body
    if request.headers.get("Content-Encoding") == "deflate":
        body = zlib.decompress(body)
    return json.loads(body)


def create_app(token: str, package: str = "actions") -> Sanic:
    app = Sanic("vigilance_actions", configure_logging=False)
    app.config.REQUEST_MAX_SIZE = MAX_BODY_BYTES
    executor = ActionExecutor()
    executor.register_package(package)
    expected = f"Bearer {token}".encode()

    async def authenticate(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS:
            return None
        supplied = (request.headers.get("authorization") or "").encode()
        if not hmac.compare_digest(supplied, expected):
            return response.json({"error": "unauthorized"}, status=401)
        return None

    # What `@app.middleware("request")` does, through Sanic's annotated method.
    app.register_middleware(authenticate, "request")

    @app.get("/health")
    async def health(_: Request) -> HTTPResponse:
        return response.json({"status": "ok"})

    @app.post("/webhook")
    async def webhook(request: Request) -> HTTPResponse:
        return await _run_action(executor, request)

    return app


async def _run_action(executor: ActionExecutor, request: Request) -> HTTPResponse:
    try:
        action_call = _action_call(request)
    except (ValueError, zlib.error):
        return response.json({"error": "invalid body"}, status=400)
    if not isinstance(action_call, dict):
        return response.json({"error": "invalid body"}, status=400)
    utils.check_version_compatibility(action_call.get("version"))
    try:
        # The shape rasa-sdk expects; its executor checks what it reads.
        result = await executor.run(cast(ActionCall, action_call))
    except ActionExecutionRejection as rejection:
        body = {"error": rejection.message, "action_name": rejection.action_name}
        return response.json(body, status=400)
    except ActionNotFoundException as missing:
        logger.error("unknown action %s", missing.action_name)
        return response.json({"error": "unknown action"}, status=404)
    except Exception as error:
        name = action_call.get("next_action")
        # The frames, not the message: it may quote the conversation.
        frames = "".join(traceback.format_tb(error.__traceback__))
        logger.error("action %s failed: %s\n%s", name, type(error).__name__, frames)
        return response.json({"error": "action failed"}, status=500)
    return response.json(result)


def main() -> None:
    parser = argparse.ArgumentParser(description="Serveur d'actions de l'assistant")
    parser.add_argument("--port", type=int, default=5055)
    parser.add_argument("--host", default=os.environ.get("SANIC_HOST", "127.0.0.1"))
    args = parser.parse_args()
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"))
    app = create_app(server_token())
    app.run(args.host, args.port, workers=utils.number_of_sanic_workers(), access_log=False)


if __name__ == "__main__":
    main()
