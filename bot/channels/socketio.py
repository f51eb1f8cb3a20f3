"""The socket.io channel of the account site's chat widget, bound to the policyholder's token.

Rasa's own socket.io channel lets a client pick any session id (and so join someone else's
room), and its JWT check drops the token after `connect`. Here the chat token is checked
on `connect` and who it names is kept in the socket's session (the token itself is not); the
conversation and its room are named after the token's subject (`assure-<id>-<client suffix>`),
so a socket only ever enters its owner's conversation; every message is checked and masked like
the REST channel's and carries who is talking (`auth` metadata, no secret) to the actions.

Several Rasa replicas: each socket lives in one process, and the widget uses the WebSocket
transport only (`SOCKETIO_TRANSPORTS=websocket` refuses long-polling, whose requests a load
balancer could spread over replicas); a replica that goes away drops its sockets, the widget
reconnects to another one, and the conversation goes on from the shared tracker store.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer
from socketio.exceptions import ConnectionRefusedError

from bot.channels import failures
from bot.channels.messages import MAX_BODY_BYTES, InvalidMessage, prepare_message
from bot.identity import Identity, channel_key, conversation_id, verify_chat_token

logger = logging.getLogger(__name__)

# The pages allowed to open a socket (the browser's Origin header), comma-separated.
ORIGINS_ENV = "WIDGET_ORIGINS"
# `websocket` in the cluster; both by default (the tests' Python client polls).
TRANSPORTS_ENV = "SOCKETIO_TRANSPORTS"
DEFAULT_ORIGINS = ("http://127.0.0.1:8000", "http://localhost:8000")
ERROR_EVT = "assistant_error"
REFUSED = "Connexion refusée : reconnectez-vous à votre compte."
EXPIRED = "Votre session a expiré : rechargez la page pour reprendre la conversation."
NO_SESSION = "La conversation n'est pas ouverte : rechargez la page."


def allowed_transports() -> list[str]:
    chosen = [t.strip() for t in os.environ.get(TRANSPORTS_ENV, "").split(",") if t.strip()]
    return [t for t in chosen if t in ("polling", "websocket")] or ["polling", "websocket"]


def allowed_origins(configured: object) -> list[str]:
    """WIDGET_ORIGINS, else the credentials' `cors_allowed_origins`, else the local site."""
    from_env = [o.strip() for o in os.environ.get(ORIGINS_ENV, "").split(",") if o.strip()]
    if from_env:
        return from_env
    if isinstance(configured, list) and configured:
        return [str(o) for o in configured]
    return list(DEFAULT_ORIGINS)


class SecureSocketIOInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> SecureSocketIOInput:
        credentials = credentials or {}
        return cls(
            user_message_evt=str(credentials.get("user_message_evt", "user_uttered")),
            bot_message_evt=str(credentials.get("bot_message_evt", "bot_uttered")),
            socketio_path=str(credentials.get("socketio_path", "/socket.io")),
            origins=allowed_origins(credentials.get("cors_allowed_origins")),
        )

    def __init__(
        self,
        *,
        user_message_evt: str = "user_uttered",
        bot_message_evt: str = "bot_uttered",
        socketio_path: str = "/socket.io",
        origins: list[str] | None = None,
    ) -> None:
        self.user_message_evt = user_message_evt
        self.bot_message_evt = bot_message_evt
        self.socketio_path = socketio_path
        self.origins = origins or list(DEFAULT_ORIGINS)
        self.key = channel_key()
        self.sio: AsyncServer | None = None

    def get_output_channel(self) -> OutputChannel | None:
        return SocketIOOutput(self.sio, self.bot_message_evt) if self.sio else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        sio = AsyncServer(
            async_mode="sanic",
            cors_allowed_origins=self.origins,
            transports=allowed_transports(),
            max_http_buffer_size=MAX_BODY_BYTES,
        )
        self.sio = sio
        webhook = SocketBlueprint(sio, self.socketio_path, "secure_socketio_webhook", __name__)

        # Sanic leaves Blueprint.route unannotated (mypy: untyped-decorator); the handler is.
        @webhook.route("/", methods=["GET"])  # type: ignore[untyped-decorator]
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        handlers = _SocketHandlers(self, sio, on_new_message)
        sio.on("connect", handlers.connect)
        sio.on("session_request", handlers.session_request)
        sio.on(self.user_message_evt, handlers.handle_message)
        return webhook


class _SocketHandlers:
    """What one channel's server does on each socket event."""

    def __init__(
        self,
        channel: SecureSocketIOInput,
        sio: AsyncServer,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> None:
        self.channel = channel
        self.sio = sio
        self.on_new_message = on_new_message

    async def connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        token = auth.get("token") if isinstance(auth, dict) else None
        identity = verify_chat_token(token, self.channel.key)
        if identity is None:
            raise ConnectionRefusedError(REFUSED)
        await self.sio.save_session(sid, {"identity": identity, "conversation": None})

    async def session_request(self, sid: str, data: Any = None) -> None:
        sio = self.sio
        session = await sio.get_session(sid)
        identity: Identity = session["identity"]
        suffix = data.get("session_id") if isinstance(data, dict) else None
        conversation = conversation_id(identity, suffix)
        for room in sio.rooms(sid):
            if room not in (sid, conversation):
                await sio.leave_room(sid, room)
        await sio.enter_room(sid, conversation)
        session["conversation"] = conversation
        await sio.save_session(sid, session)
        await sio.emit("session_confirm", conversation.split("-", 2)[-1], room=sid)

    async def handle_message(self, sid: str, data: Any = None) -> None:
        sio = self.sio
        session = await sio.get_session(sid)
        identity: Identity = session["identity"]
        conversation = session.get("conversation")
        if conversation is None:
            await sio.emit(ERROR_EVT, {"code": "no_session", "detail": NO_SESSION}, room=sid)
            return
        if identity.expired:
            # The token expired since `connect`: never continue as someone anonymous.
            await sio.emit(ERROR_EVT, {"code": "expired", "detail": EXPIRED}, room=sid)
            await sio.disconnect(sid)
            return
        body = data if isinstance(data, dict) else {}
        sent = {"message": body.get("message"), "message_id": body.get("message_id")}
        try:
            incoming = prepare_message(sent, self.channel.key, identity=identity)
        except InvalidMessage as error:
            await sio.emit(ERROR_EVT, {"code": "invalid", "detail": error.detail}, room=sid)
            return
        output = SocketIOOutput(sio, self.channel.bot_message_evt)
        try:
            await self.on_new_message(
                UserMessage(
                    incoming.text,
                    output,
                    conversation,
                    message_id=incoming.message_id,
                    input_channel=self.channel.name(),
                    metadata=incoming.metadata,
                )
            )
        except Exception as error:
            failures.log(error)
            detail = failures.explain(error)
            await sio.emit(ERROR_EVT, {"code": "failed", "detail": detail}, room=sid)
