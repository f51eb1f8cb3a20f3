"""Conversations of visitors who are not signed in: each gets its own, named by the channel.

A client cannot pick an anonymous conversation: the channel draws a random name and hands back
a handle signed with its key; only that handle, sent back as `sender`, goes on with it. Two
visitors who send the same made-up `sender` therefore each start a conversation of their own.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from contract.conversations import ANONYMOUS_PREFIX

_HANDLE = re.compile(r"^([A-Za-z0-9_-]{22})\.([0-9a-f]{24})$")


def _mac(name: str, key: str) -> str:
    return hmac.new(key.encode(), f"anonymous:{name}".encode(), hashlib.sha256).hexdigest()[:24]


def conversation(client_sender: object, key: str) -> tuple[str, str]:
    """(conversation id, handle for the client): the one the handle names, else a new one."""
    found = _HANDLE.match(client_sender) if isinstance(client_sender, str) else None
    if found and hmac.compare_digest(found[2], _mac(found[1], key)):
        name = found[1]
    else:
        name = secrets.token_urlsafe(16)
    return f"{ANONYMOUS_PREFIX}{name}", f"{name}.{_mac(name, key)}"
