"""Password hashing, keyed hashes for the audit, and the signed tokens of contract/tokens.py."""

import hashlib
import hmac
import time
from functools import lru_cache

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from contract import tokens as contract
from contract.tokens import TokenClaims, TokenRefused

__all__ = [
    "InvalidToken",
    "TokenClaims",
    "decode_token",
    "dummy_hash",
    "encode_token",
    "hash_password",
    "keyed_hash",
    "peek_token_type",
    "verify_password",
]


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


def keyed_hash(value: str, *, secret: str, purpose: str) -> str:
    """A stable pseudonym for a value we must not store (an unknown username, an address)."""
    key = hmac.new(secret.encode(), f"vigilance-api:{purpose}".encode(), hashlib.sha256).digest()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:32]


class InvalidToken(Exception):
    """The token is malformed, forged, of another kind, too long-lived or expired."""


def encode_token(
    *,
    token_type: str,
    subject: int,
    role: str,
    session_id: str,
    key: str,
    seconds: int,
    now: int | None = None,
) -> str:
    issued = int(time.time()) if now is None else now
    payload = contract.claims(
        token_type=token_type,
        subject=subject,
        role=role,
        session_id=session_id,
        now=issued,
        seconds=seconds,
    )
    return jwt.encode(payload, key, algorithm=contract.ALGORITHM)


def peek_token_type(token: str) -> str | None:
    """The `type` a token claims, before its signature is checked (to choose the key only)."""
    if not token or len(token) > contract.MAX_TOKEN_CHARS:
        return None
    try:
        payload = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return None
    token_type = payload.get(contract.TYPE)
    return token_type if isinstance(token_type, str) else None


def decode_token(
    token: str, *, token_type: str, key: str, max_seconds: int, now: float | None = None
) -> TokenClaims:
    """The claims of a token signed with `key`, after every rule of the contract."""
    if not token or len(token) > contract.MAX_TOKEN_CHARS:
        raise InvalidToken("empty or too long")
    try:
        # The signature only: the contract's rules below check every claim.
        payload = jwt.decode(
            token,
            key,
            algorithms=[contract.ALGORITHM],
            options={"verify_exp": False, "verify_iat": False, "verify_nbf": False},
        )
    except jwt.PyJWTError as exc:
        raise InvalidToken(type(exc).__name__) from exc
    try:
        return contract.check_claims(
            payload,
            token_type=token_type,
            max_seconds=max_seconds,
            now=time.time() if now is None else now,
        )
    except TokenRefused as exc:
        raise InvalidToken(str(exc)) from exc
