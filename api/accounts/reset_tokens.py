"""The password-reset link's token: signed, expiring, and bound to the password it replaces.

« <account id>.<expiry>.<signature> »: the signature (HMAC-SHA256, a key derived from
SECRET_KEY for this purpose only) covers the id, the expiry and the account's current password
hash. Nothing is stored: once the password changes (the link used, or any other change) the
signature no longer matches, so a link works once, and never after a newer password.
"""

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass

LIFETIME_SECONDS = 3600
TOKEN_MAX = 200
_SHAPE = re.compile(r"^([1-9][0-9]{0,17})\.([1-9][0-9]{0,11})\.([A-Za-z0-9_-]{43})$")


@dataclass(frozen=True)
class ParsedToken:
    account_id: int
    expires_at: int
    signature: str


def _key(secret: str) -> bytes:
    return hmac.new(secret.encode(), b"vigilance-api:password-reset", hashlib.sha256).digest()


def _signature(*, account_id: int, expires_at: int, password_hash: str, secret: str) -> str:
    message = f"policyholder:{account_id}:{expires_at}:{password_hash}".encode()
    digest = hmac.new(_key(secret), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def mint(*, account_id: int, password_hash: str, secret: str, now: float) -> tuple[str, int]:
    """A token valid LIFETIME_SECONDS from `now`, and its expiry (a Unix time)."""
    expires_at = int(now) + LIFETIME_SECONDS
    signature = _signature(
        account_id=account_id, expires_at=expires_at, password_hash=password_hash, secret=secret
    )
    return f"{account_id}.{expires_at}.{signature}", expires_at


def parse(token: str) -> ParsedToken | None:
    """The token's parts if it has the right shape (nothing checked yet), else None."""
    if not token or len(token) > TOKEN_MAX:
        return None
    match = _SHAPE.match(token)
    if match is None:
        return None
    return ParsedToken(int(match[1]), int(match[2]), match[3])


def signed_for(parsed: ParsedToken, *, password_hash: str, secret: str) -> bool:
    """Whether the token was signed for this password hash (constant-time comparison)."""
    expected = _signature(
        account_id=parsed.account_id,
        expires_at=parsed.expires_at,
        password_hash=password_hash,
        secret=secret,
    )
    return hmac.compare_digest(expected, parsed.signature)
