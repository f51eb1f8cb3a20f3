"""ASGI middleware: a cap on request bodies, and an access log without personal data."""

import json
import logging
import time
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.core.errors import error_body

access_log = logging.getLogger("api.access")


class BodyTooLarge(Exception):
    pass


class BodySizeLimit:
    """Refuse with 413 any request whose body exceeds the limit, declared or streamed."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._refuse(send)
            return
        received = 0
        exceeded = False

        async def limited_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    exceeded = True
                    raise BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            # The app may turn our exception into its own error: answer 413 instead.
            if not exceeded:
                await send(message)
            elif message["type"] == "http.response.start":
                await self._refuse(send)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except BodyTooLarge:
            await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        message = f"Requête trop volumineuse : {self.max_bytes} octets au maximum."
        body = json.dumps(error_body(message, "payload_too_large")).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class AccessLog:
    """Log method, route template, status and duration: never query strings, ids or tokens."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status: dict[str, Any] = {"code": 500}

        async def recording_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            path = _route_template(scope)
            access_log.info(
                "%s %s %s %.1fms",
                scope["method"],
                path,
                status["code"],
                (time.perf_counter() - started) * 1000,
            )


def _route_template(scope: Scope) -> str:
    """The matched route's template with its router's prefix: « /api/v1/reports/{report_id} ».

    An included router's route knows only its own template (« /reports/{report_id} »); the
    prefix is the part of the requested path before the segment where that template matches.
    Router prefixes here are static (« /api/v1 »), so that part carries no identifier.
    """
    route = scope.get("route")
    template = getattr(route, "path", None)
    if not template:
        return "<unmatched>"
    pattern = getattr(route, "path_regex", None)
    requested = scope.get("path", "")
    if pattern is None or pattern.match(requested):
        return str(template)
    for start, char in enumerate(requested):
        if char == "/" and start > 0 and pattern.match(requested[start:]):
            return f"{requested[:start]}{template}"
    return str(template)


# --- Security headers on every answer ------------------------------------------------------

# Every answer: never sniffed, framed, referred or given access to the device. An answer that
# sets one of these itself (the pages' CSP, their Referrer-Policy) keeps its own value.
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": (
        "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
        "microphone=(), payment=(), usb=()"
    ),
}
# Answers hold personal data or depend on who asks: no cache keeps them. A static file asked
# by its versioned URL (`static_url`: the content's digest in `v=`) never changes: browsers
# keep it a year and do not even revalidate it (a phone shows the next page styled at once);
# asked without a version, it is revalidated each time.
NO_STORE = {"Cache-Control": "no-store"}
VERSIONED_STATIC = {"Cache-Control": "public, max-age=31536000, immutable"}
UNVERSIONED_STATIC = {"Cache-Control": "no-cache"}
# Only sent when the site is served over HTTPS (COOKIE_SECURE=1): a year, subdomains too.
HSTS = {"Strict-Transport-Security": "max-age=31536000; includeSubDomains"}


def _caching(scope: Scope, static_prefix: str) -> dict[str, str]:
    if not scope["path"].startswith(static_prefix):
        return NO_STORE
    query = scope.get("query_string", b"").decode("latin-1")
    versioned = any(part.startswith("v=") and len(part) > 2 for part in query.split("&"))
    return VERSIONED_STATIC if versioned else UNVERSIONED_STATIC


class SecurityHeaders:
    """Add the security headers to every HTTP answer that does not set them itself.

    It wraps the whole application, Starlette's error middleware included, so answers made by
    an error handler, the body-size refusal, an unexpected 500 and static files carry them too.
    """

    def __init__(self, app: ASGIApp, *, hsts: bool, static_prefix: str) -> None:
        self.app = app
        self.static_prefix = static_prefix.rstrip("/") + "/"
        self.common = {**SECURITY_HEADERS, **(HSTS if hsts else {})}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        added = {**self.common, **_caching(scope, self.static_prefix)}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in added.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
