"""The three kinds of signed token that cross the trust boundary, and the rules every reader
applies to them.

- ``access``: the API's own bearer token (signed with ``SECRET_KEY``; the API alone holds it).
- ``chat``: what a signed-in policyholder hands to the assistant's channels (signed with
  ``ASSISTANT_CHANNEL_KEY``, minted by the API only). The channel checks it, binds the
  conversation to its subject and stores nothing of it.
- ``assistant``: minted by the action server for one call to the API on behalf of the
  policyholder of the conversation (signed with ``ASSISTANT_SERVICE_KEY``; lives a minute;
  never stored). The API accepts it only on the routes the assistant needs.

Every token names the sign-in session it comes from (``sid``): ending that session (signing
out, a password change, an administrator's decision) ends what every token of it can do at
the API.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

ALGORITHM = "HS256"

ACCESS = "access"
CHAT = "chat"
ASSISTANT = "assistant"
TOKEN_TYPES = (ACCESS, CHAT, ASSISTANT)

POLICYHOLDER_ROLE = "policyholder"

# Claim names.
SUBJECT = "sub"
ROLE = "role"
TYPE = "type"
ISSUED_AT = "iat"
EXPIRES = "exp"
SESSION = "sid"
REQUIRED_CLAIMS = (SUBJECT, ROLE, TYPE, ISSUED_AT, EXPIRES, SESSION)

# A chat token lives as long as a page of the account, at most.
CHAT_TOKEN_MAX_SECONDS = 30 * 60
# One call of the action server to the API, retries included.
ASSISTANT_TOKEN_SECONDS = 60
# Clocks of different hosts may disagree by this much.
CLOCK_LEEWAY_SECONDS = 30
# Longest a token may be: anything longer is refused, whatever its signature.
MAX_TOKEN_CHARS = 4096
SESSION_ID_MAX_CHARS = 64

# The environment variables that carry the keys (the API reads them through its settings).
CHANNEL_KEY_ENV = "ASSISTANT_CHANNEL_KEY"
SERVICE_KEY_ENV = "ASSISTANT_SERVICE_KEY"
MIN_KEY_CHARS = 32


class MissingKey(RuntimeError):
    """A key the process needs is not set, or too short to be one."""


def required_key(name: str, key: str, who: str) -> str:
    """`key`, read from environment variable `name` by `who`, if it is long enough to be one."""
    if len(key) < MIN_KEY_CHARS:
        raise MissingKey(f"{name} must be set ({MIN_KEY_CHARS} characters or more) for {who}")
    return key


class TokenRefused(Exception):
    """The token is not acceptable; the message names the rule (for logs, never for users)."""


@dataclass(frozen=True)
class TokenClaims:
    subject: int
    role: str
    type: str
    session_id: str
    issued_at: int
    expires_at: int


def claims(
    *, token_type: str, subject: int, role: str, session_id: str, now: int, seconds: int
) -> dict[str, Any]:
    """The payload of a new token (the caller signs it)."""
    if token_type not in TOKEN_TYPES:
        raise ValueError(f"unknown token type {token_type!r}")
    return {
        SUBJECT: str(subject),
        ROLE: role,
        TYPE: token_type,
        SESSION: session_id,
        ISSUED_AT: now,
        EXPIRES: now + seconds,
    }


def check_claims(
    payload: Mapping[str, Any], *, token_type: str, max_seconds: int, now: float
) -> TokenClaims:
    """Apply the rules a signature cannot: type, subject, session, and a lifetime the server
    caps (a validly signed token that claims to live 30 years is refused, as is one issued in
    the future)."""
    if payload.get(TYPE) != token_type:
        raise TokenRefused("wrong token type")
    issued, expires = payload.get(ISSUED_AT), payload.get(EXPIRES)
    if not isinstance(issued, int) or not isinstance(expires, int):
        raise TokenRefused("iat and exp must be integers")
    if issued > now + CLOCK_LEEWAY_SECONDS:
        raise TokenRefused("issued in the future")
    if expires - issued > max_seconds:
        raise TokenRefused("lifetime longer than the server allows")
    if expires <= now - CLOCK_LEEWAY_SECONDS:
        raise TokenRefused("expired")
    role, session_id = payload.get(ROLE), payload.get(SESSION)
    if not isinstance(role, str) or not role:
        raise TokenRefused("no role")
    if not isinstance(session_id, str) or not 0 < len(session_id) <= SESSION_ID_MAX_CHARS:
        raise TokenRefused("no session")
    raw_subject = payload.get(SUBJECT)
    if not isinstance(raw_subject, str) or not raw_subject.isdigit():
        raise TokenRefused("bad subject")
    subject = int(raw_subject)
    if not 0 < subject < 2**31:
        raise TokenRefused("bad subject")
    return TokenClaims(subject, role, token_type, session_id, issued, expires)


def derive_key(secret: str, purpose: str) -> str:
    """A key of its own for `purpose`, derived from the demo's secret (demo mode only: a real
    installation sets every key itself)."""
    digest = hmac.new(secret.encode(), f"vigilance:{purpose}".encode(), hashlib.sha256)
    return digest.hexdigest()
