"""Signing in through the pages, and the CSRF token a page carries."""

import base64
import json

import httpx
from fastapi import APIRouter
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from tests.factories import PASSWORD
from tests.web.markup import parse

LOGIN = "/connexion"


def csrf_token(client: TestClient, path: str = LOGIN) -> str:
    """The token of the session, read from a form of the page (as a browser would send it)."""
    page = client.get(path)
    fields = parse(page.text).find_all("input", name="csrf_token")
    assert fields, f"no CSRF field on {path} ({page.status_code})"
    return fields[0].attrs["value"]


def login(
    client: TestClient, username: str, password: str = PASSWORD, next_path: str = ""
) -> httpx.Response:
    token = csrf_token(client, LOGIN)
    return client.post(
        LOGIN,
        data={"username": username, "password": password, "csrf_token": token, "next": next_path},
        follow_redirects=False,
    )


def post_form(
    client: TestClient, path: str, data: dict[str, str], *, token_from: str
) -> httpx.Response:
    """A form POST with the session's CSRF token, as the page would submit it."""
    token = csrf_token(client, token_from)
    return client.post(path, data={**data, "csrf_token": token}, follow_redirects=False)


def signed_in_session(client: TestClient) -> str:
    """The session id the signed cookie holds (the cookie is signed, not encrypted)."""
    cookie = client.cookies["vigilance_session"]
    payload = cookie.split(".")[0]
    data = json.loads(base64.b64decode(payload + "=" * (-len(payload) % 4)))
    session_id: str = data["sid"]
    return session_id


def declared_routes(*routers: APIRouter) -> set[tuple[str, str]]:
    """(method, path) of every route the routers declare, for the "every route is covered" tests."""
    return {
        (method, route.path)
        for router in routers
        for route in router.routes
        if isinstance(route, APIRoute)
        for method in route.methods or ()
    }
