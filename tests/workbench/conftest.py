"""The workbench over a copy of the assistant's files, a tracker store, and no Rasa server."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.accounts.models import StaffRole, StaffUser
from api.core.config import Settings
from tests.factories import Factory
from tests.web.helpers import login
from tests.workbench.support import TrackerStore, copy_assistant, pointed_at_files


@pytest.fixture
def tracker(tmp_path: Path) -> TrackerStore:
    store = TrackerStore(tmp_path / "tracker.db")
    store.create()
    return store


@pytest.fixture
def workbench(
    app: FastAPI, settings: Settings, tmp_path: Path, tracker: TrackerStore
) -> Iterator[Settings]:
    assistant = copy_assistant(tmp_path / "assistant")
    with pointed_at_files(app, settings, tmp_path, assistant, tracker.url) as changed:
        yield changed


@pytest.fixture
def trainer(factory: Factory) -> StaffUser:
    return factory.staff(StaffRole.TRAINER, full_name="Thomas Girard")


@pytest.fixture
def signed_in(client: TestClient, trainer: StaffUser, workbench: Settings) -> TestClient:
    response = login(client, trainer.username)
    assert response.headers["location"] == "/trainer"
    return client
