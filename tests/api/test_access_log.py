"""The access log names the route with its prefix, never the ids or tokens of the request."""

import logging

import pytest
from fastapi.testclient import TestClient

from tests.factories import Factory


def test_the_log_shows_the_full_route_template_and_no_identifier(
    client: TestClient, factory: Factory, caplog: pytest.LogCaptureFixture
) -> None:
    holder = factory.policyholder()
    headers = factory.auth(holder)
    caplog.set_level(logging.INFO, logger="api.access")

    client.get("/api/v1/reports/SIG-2026-424242", headers=headers)
    client.get("/api/v1/claims?limit=5", headers=headers)
    client.get("/nulle-part")

    lines = [r.getMessage() for r in caplog.records if r.name == "api.access"]
    assert lines[0].startswith("GET /api/v1/reports/{reference} 404 ")
    assert lines[1].startswith("GET /api/v1/claims 200 ")
    assert lines[2].startswith("GET <unmatched> 404 ")
    logged = "\n".join(lines)
    assert "424242" not in logged and "limit" not in logged
    assert headers["Authorization"].split()[1] not in logged
