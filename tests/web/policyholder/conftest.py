"""A signed-in policyholder for the account pages' tests."""

import pytest
from fastapi.testclient import TestClient

from api.accounts.models import Policyholder
from tests.factories import Factory
from tests.web.helpers import login


@pytest.fixture
def holder(factory: Factory) -> Policyholder:
    return factory.policyholder("camille", first_name="Camille", last_name="Bernard")


@pytest.fixture
def signed_in(client: TestClient, holder: Policyholder) -> TestClient:
    assert login(client, "camille").headers["location"] == "/compte"
    return client
