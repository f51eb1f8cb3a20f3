"""What every channel does to a message before Rasa sees it: check, clean, mask, bind to a person.

Nothing the client sends reaches the tracker store unchecked: the text is cleaned (lone
surrogates, control characters) and masked, the metadata is rebuilt from scratch (the identity
a chat token proves, never the token), and the conversation is named by the channel.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot import delivery
from bot.channels import anonymous
from bot.identity import Identity, conversation_id, verify_chat_token
from bot.redaction import redact

MAX_MESSAGE_CHARS = 2000
# The largest request body a channel reads (a message of MAX_MESSAGE_CHARS in the worst UTF-8
# and JSON escaping, its sender and its token fit well within it).
MAX_BODY_BYTES = 64 * 1024
TOKEN_FIELD = "chat_token"  # noqa: S105 - a field name, not a secret
AUTH_KEY = "auth"

# A lone surrogate cannot be stored (UTF-8) and would fail the turn: it becomes U+FFFD.
_SURROGATE = re.compile("[\ud800-\udfff]")
# Control characters other than tab and new line (NUL is refused by PostgreSQL), and the
# Unicode line separators that training files cannot hold.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f\x85\u2028\u2029]")


class InvalidMessage(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


@dataclass(frozen=True)
class IncomingMessage:
    sender_id: str
    text: str
    metadata: dict[str, Any]
    # The client's id for this message (`message_id`): sent again, it is not handled twice.
    message_id: str
    # What the client sends back as `sender` to go on with an anonymous conversation.
    client_handle: str | None = None


def clean_text(text: str) -> str:
    """The message as it can be stored and shown: valid Unicode, no control characters."""
    text = _SURROGATE.sub("\ufffd", text.replace("\r\n", "\n").replace("\r", "\n"))
    return _CONTROL.sub(" ", text).strip()


def prepare_message(body: object, key: str, *, identity: Identity | None = None) -> IncomingMessage:
    """Validate a channel payload; mask secrets; bind the conversation to who the token names.

    `identity` is given by channels that checked the token once per connection (socket.io);
    the REST channel checks `metadata.chat_token` on every message.
    """
    if not isinstance(body, dict):
        raise InvalidMessage(400, "Le corps de la requête doit être un objet JSON.")
    raw_text = body.get("message")
    if not isinstance(raw_text, str):
        raise InvalidMessage(400, "Le message est vide.")
    text = clean_text(raw_text)
    if not text:
        raise InvalidMessage(400, "Le message est vide.")
    if len(text) > MAX_MESSAGE_CHARS:
        raise InvalidMessage(
            413,
            f"Votre message est trop long ({MAX_MESSAGE_CHARS} caractères au maximum) : "
            "raccourcissez-le ou envoyez-le en plusieurs fois.",
        )
    raw_metadata = body.get("metadata") or {}
    if not isinstance(raw_metadata, dict):
        raise InvalidMessage(400, "Les métadonnées doivent être un objet JSON.")
    offered = raw_metadata.get(TOKEN_FIELD)
    if identity is None and offered is not None:
        identity = verify_chat_token(offered, key)
    metadata: dict[str, Any] = {}
    handle = None
    if identity is not None:
        metadata[AUTH_KEY] = identity.binding()
        sender_id = conversation_id(identity, body.get("sender"))
    else:
        if offered is not None:
            metadata["auth_error"] = "invalid_token"
        sender_id, handle = anonymous.conversation(body.get("sender"), key)
    redacted = redact(text)
    if redacted.kinds:
        metadata["redacted"] = list(redacted.kinds)
    return IncomingMessage(
        sender_id, redacted.text, metadata, delivery.message_id(body.get("message_id")), handle
    )
