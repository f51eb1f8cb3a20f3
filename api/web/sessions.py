"""The signed session cookie of the web pages: who is signed in, their CSRF token, messages.

Starlette's SessionMiddleware signs the cookie (HttpOnly, SameSite=Lax). The cookie names a
server-side session (`auth_session`): every request checks it is still open (signing out, a
password change or an administrator ends it everywhere) and reloads the account, so what the
cookie says is never trusted beyond its ids and role. Idle expiry stays with the cookie's
signed timestamp (SESSION_MINUTES); the server-side record has the absolute expiry.
"""

import secrets
import time
from typing import Any, Literal

from starlette.requests import Request

from api.accounts.service import Principal

ACCOUNT_KEY = "account_id"
ROLE_KEY = "role"
SESSION_KEY = "sid"
CSRF_KEY = "csrf"
MESSAGES_KEY = "messages"
SEEN_KEY = "seen"
# Re-sign the cookie (and so push back its expiry) at most once a minute.
TOUCH_EVERY_S = 60
MAX_MESSAGES = 5

Level = Literal["success", "error", "info"]


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def start(request: Request, principal: Principal, session_id: str) -> None:
    """Sign in: a fresh session (no fixation), a fresh CSRF token."""
    request.session.clear()
    request.session.update(
        {
            ACCOUNT_KEY: principal.id,
            ROLE_KEY: principal.role.value,
            SESSION_KEY: session_id,
            CSRF_KEY: new_csrf_token(),
            SEEN_KEY: int(time.time()),
        }
    )


def end(request: Request) -> None:
    request.session.clear()


def identity(request: Request) -> tuple[int, str, str] | None:
    """(account id, role, session id) the cookie names, if any."""
    account_id = request.session.get(ACCOUNT_KEY)
    role = request.session.get(ROLE_KEY)
    session_id = request.session.get(SESSION_KEY)
    if isinstance(account_id, int) and isinstance(role, str) and isinstance(session_id, str):
        return account_id, role, session_id
    return None


def session_id(request: Request) -> str | None:
    value = request.session.get(SESSION_KEY)
    return value if isinstance(value, str) else None


def touch(request: Request) -> None:
    """Keep an active session alive: the cookie's Max-Age counts from its last signature."""
    now = int(time.time())
    seen = request.session.get(SEEN_KEY)
    if not isinstance(seen, int) or now - seen >= TOUCH_EVERY_S:
        request.session[SEEN_KEY] = now


def csrf_token(request: Request) -> str:
    """The session's CSRF token, created on first use (the sign-in form needs one too)."""
    token = request.session.get(CSRF_KEY)
    if not isinstance(token, str):
        token = new_csrf_token()
        request.session[CSRF_KEY] = token
    return token


def flash(request: Request, text: str, level: Level = "success") -> None:
    """A message shown once, on the next page (after a POST's redirect)."""
    messages: list[dict[str, Any]] = list(request.session.get(MESSAGES_KEY, []))
    messages.append({"level": level, "text": text})
    request.session[MESSAGES_KEY] = messages[-MAX_MESSAGES:]


def pop_messages(request: Request) -> list[dict[str, str]]:
    if MESSAGES_KEY not in request.session:
        return []
    messages = request.session.pop(MESSAGES_KEY)
    return [m for m in messages if isinstance(m, dict)] if isinstance(messages, list) else []
