"""Who is talking: the policyholder named by a chat token the API minted, checked by signature.

Channels bind each conversation to the token's subject (`contract.conversations`), so a client
can neither choose nor guess its way into another person's conversation. The token itself is
never kept: the message carries only who it names, the sign-in session it comes from and until
when it is valid, and the action server acts for that person with a credential of its own.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any

import jwt
from contract import tokens
from contract.conversations import policyholder_conversation


def channel_key() -> str:
    """ASSISTANT_CHANNEL_KEY: the key the API signs chat tokens with (`make run` exports it)."""
    key = os.environ.get(tokens.CHANNEL_KEY_ENV, "")
    return tokens.required_key(tokens.CHANNEL_KEY_ENV, key, "the assistant's channels")


@dataclass(frozen=True)
class Identity:
    policyholder_id: int
    session_id: str
    expires_at: int

    def binding(self) -> dict[str, Any]:
        """What the message metadata keeps of the token: no secret, nothing replayable."""
        return {
            "policyholder_id": self.policyholder_id,
            "session": self.session_id,
            "expires_at": self.expires_at,
        }

    @property
    def expired(self) -> bool:
        return self.expires_at <= time.time()


def verify_chat_token(token: object, key: str) -> Identity | None:
    """The policyholder a valid chat token names; None for anything else (forged, expired,
    too long-lived, issued in the future, another kind of token, another role)."""
    if not isinstance(token, str) or not token or len(token) > tokens.MAX_TOKEN_CHARS:
        return None
    try:
        payload = jwt.decode(
            token,
            key,
            algorithms=[tokens.ALGORITHM],
            options={"require": list(tokens.REQUIRED_CLAIMS)},
            leeway=tokens.CLOCK_LEEWAY_SECONDS,
        )
        claims = tokens.check_claims(
            payload,
            token_type=tokens.CHAT,
            max_seconds=tokens.CHAT_TOKEN_MAX_SECONDS,
            now=time.time(),
        )
    except (jwt.PyJWTError, tokens.TokenRefused):
        return None
    if claims.role != tokens.POLICYHOLDER_ROLE:
        return None
    return Identity(claims.subject, claims.session_id, claims.expires_at)


def conversation_id(identity: Identity, client_session: object) -> str:
    """`assure-<id>[-<client session>]`: the policyholder's own conversation."""
    return policyholder_conversation(identity.policyholder_id, client_session)
