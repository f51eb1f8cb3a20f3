"""The claims and reports API, as the actions see it: short timeouts, clear failures, and the
action server's own credential for the conversation's policyholder on every call."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import httpx

from actions.conversation import Caller
from actions.credentials import assistant_token, service_key

DEFAULT_API_URL = "http://127.0.0.1:8000"
# Rasa waits long for an action but holds the conversation lock meanwhile: fail fast.
TIMEOUT = httpx.Timeout(3.0, connect=1.0)


class ApiUnavailable(Exception):
    """The API did not answer in time, refused the connection, or failed (5xx)."""


class NotAuthenticated(Exception):
    """No signed-in caller, or the API refused the session: the user must sign in again."""


class Rejected(Exception):
    """The API refused the request; `detail` is its French explanation, `code` and `body` what
    a caller can act on (`already_reported` names the open report in `body["reference"]`)."""

    def __init__(self, status: int, detail: str, body: dict[str, Any] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.body = body or {}

    @property
    def code(self) -> str | None:
        code = self.body.get("code")
        return code if isinstance(code, str) else None


@dataclass(frozen=True)
class Filed:
    reference: str
    created: bool


class ClaimsApi:
    """One HTTP client per process, created on first use (not at import)."""

    def __init__(
        self,
        base_url: str | None = None,
        timeout: httpx.Timeout = TIMEOUT,
        key: str | None = None,
    ) -> None:
        self.base_url = (base_url or os.environ.get("API_URL") or DEFAULT_API_URL).rstrip("/")
        self.timeout = timeout
        self.key = key or service_key()
        self._client: httpx.AsyncClient | None = None

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None or self._client.is_closed:
            self._client = httpx.AsyncClient(base_url=self.base_url, timeout=self.timeout)
        return self._client

    async def _request(
        self, method: str, path: str, caller: Caller | None, **kwargs: Any
    ) -> httpx.Response:
        if caller is None:
            raise NotAuthenticated()
        token = assistant_token(caller, self.key)
        headers = {"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})}
        try:
            response = await self.client.request(method, path, headers=headers, **kwargs)
        except httpx.HTTPError as error:
            raise ApiUnavailable(type(error).__name__) from error
        if response.status_code == 401:
            raise NotAuthenticated()
        if response.status_code >= 500:
            raise ApiUnavailable(f"HTTP {response.status_code}")
        if not 200 <= response.status_code < 300:
            raise Rejected(response.status_code, _detail(response), _body(response))
        return response

    async def match_claims(
        self, caller: Caller | None, *, care_date: str | None, provider: str | None, limit: int = 5
    ) -> list[dict[str, Any]]:
        params: dict[str, Any] = {"limit": limit}
        if care_date:
            params["care_date"] = care_date
        if provider:
            params["provider"] = provider[:200]
        response = await self._request("GET", "/api/v1/claims/match", caller, params=params)
        return [candidate["claim"] for candidate in response.json()["candidates"]]

    async def recent_claims(self, caller: Caller | None, *, limit: int) -> list[dict[str, Any]]:
        """The caller's latest payments, the most recent first."""
        response = await self._request("GET", "/api/v1/claims", caller, params={"limit": limit})
        items: list[dict[str, Any]] = response.json()["items"]
        return items

    async def get_claim(self, caller: Caller | None, claim_id: int) -> dict[str, Any] | None:
        """The caller's claim, or None if it is not theirs (the API answers 404 alike)."""
        try:
            response = await self._request("GET", f"/api/v1/claims/{claim_id}", caller)
        except Rejected as error:
            if error.status in (404, 422):
                return None
            raise
        claim: dict[str, Any] = response.json()
        return claim

    async def file_report(
        self, caller: Caller | None, report: dict[str, Any], *, idempotency_key: str
    ) -> Filed:
        response = await self._request(
            "POST",
            "/api/v1/reports",
            caller,
            json=report,
            headers={"Idempotency-Key": idempotency_key},
        )
        return Filed(response.json()["reference"], created=response.status_code == 201)

    async def add_complement(
        self, caller: Caller | None, reference: str, text: str, *, idempotency_key: str
    ) -> None:
        """Add the person's words to their open report (once per key)."""
        await self._request(
            "POST",
            f"/api/v1/reports/{reference}/complements",
            caller,
            json={"text": text},
            headers={"Idempotency-Key": idempotency_key},
        )

    async def list_reports(self, caller: Caller | None, *, limit: int = 5) -> list[dict[str, Any]]:
        response = await self._request("GET", "/api/v1/reports", caller, params={"limit": limit})
        items: list[dict[str, Any]] = response.json()["items"]
        return items


def _body(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _detail(response: httpx.Response) -> str:
    try:
        detail = response.json().get("detail")
    except ValueError:
        detail = None
    return detail if isinstance(detail, str) else "la demande n'a pas été acceptée."


_api: ClaimsApi | None = None


def get_api() -> ClaimsApi:
    """The process-wide client (tests replace it with `set_api`)."""
    global _api
    if _api is None:
        _api = ClaimsApi()
    return _api


def set_api(api: ClaimsApi | None) -> None:
    global _api
    _api = api
