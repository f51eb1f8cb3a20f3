"""The REST channel, made safe: bounded JSON input, masked secrets, conversations bound to a
chat token, and always an answer.

POST /webhooks/rest/webhook with `{"sender", "message", "message_id", "metadata":
{"chat_token"}}` (`message_id` optional: a message sent again with the same id is answered
again, not handled twice); the answer is the list of the assistant's messages, as with Rasa's
own REST channel. When a backend fails, the list holds the assistant's French explanation
instead of being empty; bad input gets a 4xx with a French `detail`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels import failures
from bot.channels.messages import MAX_BODY_BYTES, IncomingMessage, InvalidMessage, prepare_message
from bot.identity import channel_key

logger = logging.getLogger(__name__)


def _error(status: int, detail: str) -> HTTPResponse:
    return response.json({"detail": detail}, status=status)


def _read_json(request: Request) -> object:
    """The body as JSON, or InvalidMessage (French) for anything else."""
    content_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise InvalidMessage(415, "Envoyez le message en JSON (Content-Type: application/json).")
    if len(request.body) > MAX_BODY_BYTES:
        raise InvalidMessage(413, "La requête est trop volumineuse.")
    try:
        return json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        raise InvalidMessage(400, "Le corps de la requête n'est pas un JSON valide.") from None


class SecureRestInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> SecureRestInput:
        return cls()

    def __init__(self) -> None:
        self.key = channel_key()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("secure_rest_webhook", __name__)

        # Sanic leaves Blueprint.route unannotated (mypy: untyped-decorator); the handlers are.
        @webhook.route("/", methods=["GET"])  # type: ignore[untyped-decorator]
        async def health(request: Request) -> HTTPResponse:
            """Ready when a model is loaded (the probe of the cluster and of the tests)."""
            agent = getattr(request.app.ctx, "agent", None)
            if agent is None or not agent.is_ready():
                return response.json({"status": "starting"}, status=503)
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])  # type: ignore[untyped-decorator]
        async def receive(request: Request) -> HTTPResponse:
            try:
                incoming: IncomingMessage = prepare_message(_read_json(request), self.key)
            except InvalidMessage as error:
                return _error(error.status, error.detail)
            collector = CollectingOutputChannel()
            message = UserMessage(
                incoming.text,
                collector,
                incoming.sender_id,
                message_id=incoming.message_id,
                input_channel=self.name(),
                metadata=incoming.metadata,
            )
            try:
                await on_new_message(message)
            except Exception as error:
                failures.log(error)
                collector.messages.append(
                    {"recipient_id": incoming.sender_id, "text": failures.explain(error)}
                )
            messages = collector.messages
            if incoming.client_handle is not None:
                messages = [{**m, "recipient_id": incoming.client_handle} for m in messages]
            return response.json(messages)

        return webhook
