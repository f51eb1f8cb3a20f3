"""Minting the tokens of contract/tokens.py that the API signs: access and chat."""

from api.accounts.auth_sessions import conversation_id
from api.accounts.service import Principal
from api.accounts.signin import SignedIn
from api.core.security import encode_token
from contract import tokens as contract


def access_token(signed_in: SignedIn, *, key: str, now: int) -> tuple[str, int]:
    """The bearer token of a session opened by POST /auth/token: it ends with the session."""
    seconds = int(signed_in.session.expires_at.timestamp()) - now
    principal = signed_in.principal
    token = encode_token(
        token_type=contract.ACCESS,
        subject=principal.id,
        role=principal.role.value,
        session_id=signed_in.session.id,
        key=key,
        seconds=seconds,
        now=now,
    )
    return token, seconds


def chat_token(principal: Principal, *, key: str, now: int) -> tuple[str, int]:
    """A token for the assistant's channels, bound to the caller's session (ends with it); its
    `sid` is the session's conversation id, never the id the cookie or access token holds."""
    if principal.session_id is None or principal.session_expires_at is None:
        raise ValueError("a chat token belongs to a session")
    left = int(principal.session_expires_at.timestamp()) - now
    seconds = max(1, min(contract.CHAT_TOKEN_MAX_SECONDS, left))
    token = encode_token(
        token_type=contract.CHAT,
        subject=principal.id,
        role=principal.role.value,
        session_id=conversation_id(principal.session_id),
        key=key,
        seconds=seconds,
        now=now,
    )
    return token, seconds
