"""The action server's own credential: an `assistant` token minted for each call to the API.

It names the conversation's policyholder and their sign-in session (so signing out ends what
the assistant can do for them), lives a minute, and is never stored or logged. The API accepts
it only on the routes the assistant needs; the key (`ASSISTANT_SERVICE_KEY`) is the action
server's alone.
"""

from __future__ import annotations

import os
import time

import jwt
from contract import tokens

from actions.conversation import Caller


def service_key() -> str:
    key = os.environ.get(tokens.SERVICE_KEY_ENV, "")
    return tokens.required_key(tokens.SERVICE_KEY_ENV, key, "the action server")


def assistant_token(caller: Caller, key: str) -> str:
    payload = tokens.claims(
        token_type=tokens.ASSISTANT,
        subject=caller.policyholder_id,
        role=tokens.POLICYHOLDER_ROLE,
        session_id=caller.session_id,
        now=int(time.time()),
        seconds=tokens.ASSISTANT_TOKEN_SECONDS,
    )
    return jwt.encode(payload, key, algorithm=tokens.ALGORITHM)
