"""How conversations are named: the name says whose conversation it is, and only the
assistant's channels give names (after checking a chat token), so a client can neither choose
nor guess its way into someone else's conversation."""

from __future__ import annotations

import re

POLICYHOLDER_PREFIX = "assure-"
ANONYMOUS_PREFIX = "anonyme-"
SUFFIX_MAX_CHARS = 64
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")
_POLICYHOLDER = re.compile(r"^assure-([1-9][0-9]{0,9})(?:-[A-Za-z0-9_-]{1,64})?$")


def safe_suffix(client_session: object) -> str:
    """What a client may choose in a conversation's name: letters, digits, `_` and `-` only."""
    return _UNSAFE.sub("", str(client_session or ""))[:SUFFIX_MAX_CHARS]


def policyholder_conversation(policyholder_id: int, client_session: object) -> str:
    """`assure-<id>[-<client session>]`."""
    suffix = safe_suffix(client_session)
    base = f"{POLICYHOLDER_PREFIX}{policyholder_id}"
    return f"{base}-{suffix}" if suffix else base


def policyholder_of(conversation_id: str) -> int | None:
    """The policyholder a conversation belongs to, None for an anonymous one."""
    found = _POLICYHOLDER.match(conversation_id or "")
    return int(found[1]) if found else None
