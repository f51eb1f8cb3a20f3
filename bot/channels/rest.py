"""The REST channel, made safe: bounded input, masked secrets, conversations bound to a token.

POST /webhooks/rest/webhook with `{"sender", "message", "metadata": {"access_token"}}`; the
answer is the list of the assistant's messages, as with Rasa's own REST channel.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.messages import IncomingMessage, InvalidMessage, prepare_message
from bot.identity import signing_key

logger = logging.getLogger(__name__)


def _error(status: int, detail: str) -> HTTPResponse:
    return response.json({"detail": detail}, status=status)


class SecureRestInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> SecureRestInput:
        return cls()

    def __init__(self) -> None:
        self.secret = signing_key()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("secure_rest_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                body = request.json
            except Exception:
                return _error(400, "Le corps de la requête n'est pas un JSON valide.")
            try:
                incoming: IncomingMessage = prepare_message(body, self.secret)
            except InvalidMessage as error:
                return _error(error.status, error.detail)
            collector = CollectingOutputChannel()
            try:
                await on_new_message(
                    UserMessage(
                        incoming.text,
                        collector,
                        incoming.sender_id,
                        input_channel=self.name(),
                        metadata=incoming.metadata,
                    )
                )
            except Exception:
                # Never log the text: it may hold health data.
                logger.exception("The assistant failed to handle a message")
                return _error(500, "L'assistant n'a pas pu traiter votre message.")
            return response.json(collector.messages)

        return webhook
