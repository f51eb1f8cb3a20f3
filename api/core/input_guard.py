"""Refuse, before any route runs, the text no part of the service can take.

PostgreSQL refuses a NUL character (U+0000) in text, and a lone surrogate (U+D800 to U+DFFF,
which JSON's « \\ud800 » escape can carry) has no UTF-8 form: either would fail deep in a
query or a page as a 500, and only on some databases. The rule is applied once, here, to the
path, the query string and the form and JSON bodies of every request, pages included, so a
route reading `request.query_params` itself is covered too. No route takes file uploads:
multipart bodies are refused rather than parsed.
"""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from starlette.datastructures import Headers
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.core.errors import error_body

_SURROGATE = re.compile("[\ud800-\udfff]")
FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"


@dataclass(frozen=True)
class Refusal:
    status: int
    code: str
    message: str
    field: str | None = None


def json_refusal(_scope: Scope, refusal: Refusal) -> Response:
    errors = [{"field": refusal.field, "message": refusal.message}] if refusal.field else None
    return JSONResponse(
        error_body(refusal.message, refusal.code, errors), status_code=refusal.status
    )


def bad_character(text: str) -> str | None:
    """What makes a text unusable, said for a person; None when it is fine."""
    if "\x00" in text:
        return "un caractère nul (U+0000)"
    if match := _SURROGATE.search(text):
        return f"un caractère invalide (U+{ord(match.group()):04X}, demi-paire de substitution)"
    return None


def _invalid(where: str, problem: str, field: str | None) -> Refusal:
    message = f"{where} contient {problem}, qui n'est pas accepté."
    return Refusal(422, "invalid_input", message, field)


def _in_pairs(pairs: list[tuple[str, str]], kind: str) -> Refusal | None:
    for name, value in pairs:
        for text in (name, value):
            if problem := bad_character(text):
                shown = name if not bad_character(name) else "?"
                return _invalid(f"Le {kind} « {shown} »", problem, shown)
    return None


def _in_json(document: Any) -> Refusal | None:
    """The first string (key or value) of a JSON document that is unusable, walked without
    recursion (json.loads accepts nesting as deep as the interpreter's own limit)."""
    stack: list[tuple[str, Any]] = [("", document)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            if problem := bad_character(value):
                return _invalid(f"Le champ « {path or 'body'} »", problem, path or "body")
        elif isinstance(value, dict):
            for key in value:
                if problem := bad_character(key):
                    return _invalid("Un nom de champ", problem, path or "body")
            items = [(f"{path}.{key}" if path else key, item) for key, item in value.items()]
            stack.extend(reversed(items))  # popped in document order
        elif isinstance(value, list):
            items = [(f"{path}.{i}" if path else str(i), item) for i, item in enumerate(value)]
            stack.extend(reversed(items))
    return None


def _in_body(media_type: str, body: bytes) -> Refusal | None:
    if media_type == FORM:
        pairs = parse_qsl(body.decode("latin-1"), keep_blank_values=True)
        return _in_pairs(pairs, "champ")
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        return None  # the route answers its own « JSON invalide »
    return _in_json(document)


def _media_type(scope: Scope) -> str:
    return Headers(scope=scope).get("content-type", "").split(";")[0].strip().lower()


def _is_json(media_type: str) -> bool:
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


class InputGuard:
    """Refuse a request whose path, query or body holds unusable text (422, in French)."""

    def __init__(
        self, app: ASGIApp, *, respond: Callable[[Scope, Refusal], Response] = json_refusal
    ) -> None:
        self.app = app
        self.respond = respond

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = self._in_url(scope)
        media_type = _media_type(scope)
        if refusal is None and media_type == MULTIPART:
            message = "Type de contenu non pris en charge : envoyez du JSON ou un formulaire."
            refusal = Refusal(415, "http_415", message)
        if refusal is None and (media_type == FORM or _is_json(media_type)):
            body, receive = await _buffered(receive)
            refusal = _in_body(media_type, body)
        if refusal is None:
            await self.app(scope, receive, send)
            return
        await self.respond(scope, refusal)(scope, receive, send)

    @staticmethod
    def _in_url(scope: Scope) -> Refusal | None:
        path = scope.get("path", "")
        if problem := bad_character(path):
            return _invalid("L'adresse demandée", problem, None)
        query = scope.get("query_string", b"").decode("latin-1")
        return _in_pairs(parse_qsl(query, keep_blank_values=True), "paramètre")


async def _buffered(receive: Receive) -> tuple[bytes, Receive]:
    """The whole body (a limit is enforced further out), and a `receive` that replays it."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    body = b"".join(chunks)
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return body, replay
