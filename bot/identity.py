"""Who is talking: the policyholder named by the API's access token, checked by signature.

Channels bind each conversation to the token's subject, so a client can neither choose nor
guess its way into another person's conversation. The API still decides, on every call the
actions make with the same token.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

import jwt

ALGORITHM = "HS256"
POLICYHOLDER_ROLE = "policyholder"
_SAFE_SUFFIX = re.compile(r"[^A-Za-z0-9_-]")


class MissingSecret(RuntimeError):
    pass


def signing_key() -> str:
    """The API's SECRET_KEY, shared through the environment (`make run` exports it)."""
    key = os.environ.get("SECRET_KEY", "")
    if not key:
        raise MissingSecret("SECRET_KEY must be set for the assistant's channels")
    return key


@dataclass(frozen=True)
class Identity:
    policyholder_id: int
    access_token: str


def verify_token(token: object, secret: str) -> Identity | None:
    """The policyholder a valid, unexpired access token names; None for anything else."""
    if not isinstance(token, str) or not token or len(token) > 4096:
        return None
    try:
        payload = jwt.decode(
            token, secret, algorithms=[ALGORITHM], options={"require": ["exp", "sub", "iat"]}
        )
    except jwt.PyJWTError:
        return None
    if payload.get("type") != "access" or payload.get("role") != POLICYHOLDER_ROLE:
        return None
    try:
        subject = int(payload["sub"])
    except (TypeError, ValueError):
        return None
    return Identity(subject, token)


def conversation_id(identity: Identity | None, client_session: object) -> str:
    """`assure-<id>[-<session>]` for a policyholder, `anonyme-<session>` otherwise."""
    suffix = _SAFE_SUFFIX.sub("", str(client_session or ""))[:64]
    if identity is None:
        return f"anonyme-{suffix or 'inconnu'}"
    base = f"assure-{identity.policyholder_id}"
    return f"{base}-{suffix}" if suffix else base
