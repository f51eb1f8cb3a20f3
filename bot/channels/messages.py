"""What every channel does to a message before Rasa sees it: check, mask, bind to a person."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.identity import conversation_id, verify_token
from bot.redaction import redact

MAX_MESSAGE_CHARS = 2000


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


def prepare_message(body: object, secret: str) -> IncomingMessage:
    """Validate a channel payload; mask secrets; keep only a token that is valid."""
    if not isinstance(body, dict):
        raise InvalidMessage(400, "Le corps de la requête doit être un objet JSON.")
    text = body.get("message")
    if not isinstance(text, str) or not text.strip():
        raise InvalidMessage(400, "Le message est vide.")
    if len(text) > MAX_MESSAGE_CHARS:
        raise InvalidMessage(
            413, f"Votre message est trop long ({MAX_MESSAGE_CHARS} caractères au maximum)."
        )
    raw_metadata = body.get("metadata") or {}
    if not isinstance(raw_metadata, dict):
        raise InvalidMessage(400, "Les métadonnées doivent être un objet JSON.")
    identity = verify_token(raw_metadata.get("access_token"), secret)
    redacted = redact(text.strip())
    metadata: dict[str, Any] = {}
    if identity is not None:
        metadata["access_token"] = identity.access_token
    elif raw_metadata.get("access_token"):
        metadata["auth_error"] = "invalid_token"
    if redacted.kinds:
        metadata["redacted"] = list(redacted.kinds)
    return IncomingMessage(
        sender_id=conversation_id(identity, body.get("sender")),
        text=redacted.text,
        metadata=metadata,
    )
