"""Signing in through the API, and reading what the throttle and the audit stored."""

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.accounts.models import SecurityEvent, SecurityEventKind, SigninThrottle, ThrottleScope
from tests.factories import PASSWORD

TOKEN_URL = "/api/v1/auth/token"


def sign_in(
    client: TestClient | httpx.Client, username: str, password: str = PASSWORD
) -> httpx.Response:
    return client.post(TOKEN_URL, data={"username": username, "password": password})


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def events(db: Session, kind: SecurityEventKind | None = None) -> list[SecurityEvent]:
    db.expire_all()
    stmt = select(SecurityEvent).order_by(SecurityEvent.id)
    if kind is not None:
        stmt = stmt.where(SecurityEvent.kind == kind)
    return list(db.scalars(stmt))


def counters(db: Session, scope: ThrottleScope) -> list[SigninThrottle]:
    db.expire_all()
    stmt = select(SigninThrottle).where(SigninThrottle.key.startswith(f"{scope.value}:"))
    return list(db.scalars(stmt))
