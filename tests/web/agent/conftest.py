"""An agent signed in through the real sign-in page."""

import pytest
from fastapi.testclient import TestClient

from api.accounts.models import StaffRole, StaffUser
from tests.factories import Factory
from tests.web.helpers import login


@pytest.fixture
def agent(factory: Factory) -> StaffUser:
    return factory.staff(StaffRole.AGENT, full_name="Agnès Fontaine")


@pytest.fixture
def signed_in(client: TestClient, agent: StaffUser) -> TestClient:
    response = login(client, agent.username)
    assert response.status_code == 303, response.text
    return client
