"""Password hashing and signed access tokens."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

ALGORITHM = "HS256"
TOKEN_TYPE = "access"  # noqa: S105 - a claim value, not a secret


@lru_cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password: str, password_hash: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@lru_cache
def dummy_hash() -> str:
    """Verified against when the user does not exist, so both cases cost the same time."""
    return hash_password("not-a-real-password")


@dataclass(frozen=True)
class TokenClaims:
    subject: int
    role: str
    expires_at: datetime


def create_access_token(*, subject: int, role: str, secret: str, minutes: int) -> str:
    now = datetime.now(UTC)
    payload: dict[str, Any] = {
        "sub": str(subject),
        "role": role,
        "type": TOKEN_TYPE,
        "iat": now,
        "exp": now + timedelta(minutes=minutes),
    }
    return jwt.encode(payload, secret, algorithm=ALGORITHM)


class InvalidToken(Exception):
    """The token is malformed, forged, expired or not an access token."""


def decode_access_token(token: str, *, secret: str) -> TokenClaims:
    try:
        payload = jwt.decode(
            token, secret, algorithms=[ALGORITHM], options={"require": ["exp", "sub", "iat"]}
        )
    except jwt.PyJWTError as exc:
        raise InvalidToken(type(exc).__name__) from exc
    if payload.get("type") != TOKEN_TYPE or not isinstance(payload.get("role"), str):
        raise InvalidToken("wrong token type")
    try:
        subject = int(payload["sub"])
    except (TypeError, ValueError) as exc:
        raise InvalidToken("bad subject") from exc
    return TokenClaims(
        subject=subject,
        role=payload["role"],
        expires_at=datetime.fromtimestamp(payload["exp"], UTC),
    )
