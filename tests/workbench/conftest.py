"""The workbench over a copy of the assistant's files, a tracker store, and no Rasa server."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.accounts.models import StaffRole, StaffUser
from api.core.config import Settings
from tests.bot.net import closed_port_url
from tests.factories import Factory
from tests.web.helpers import login
from tests.workbench.support import TrackerStore, copy_assistant


@pytest.fixture
def tracker(tmp_path: Path) -> TrackerStore:
    store = TrackerStore(tmp_path / "tracker.db")
    store.create()
    return store


@pytest.fixture
def workbench(
    app: FastAPI, settings: Settings, tmp_path: Path, tracker: TrackerStore
) -> Iterator[Settings]:
    """The app's settings pointed at temporary files; Rasa's server and command line absent."""
    changed = settings.model_copy(
        update={
            "assistant_dir": copy_assistant(tmp_path / "assistant"),
            "training_dir": tmp_path / "training",
            "models_dir": tmp_path / "models",
            "base_model": tmp_path / "models" / "vigilance.tar.gz",
            "tracker_store_url": tracker.url,
            "rasa_url": closed_port_url(),
            "rasa_bin": tmp_path / "no-rasa",
        }
    )
    original = app.state.settings
    app.state.settings = changed
    yield changed
    app.state.settings = original


@pytest.fixture
def trainer(factory: Factory) -> StaffUser:
    return factory.staff(StaffRole.TRAINER, full_name="Thomas Girard")


@pytest.fixture
def signed_in(client: TestClient, trainer: StaffUser, workbench: Settings) -> TestClient:
    response = login(client, trainer.username)
    assert response.headers["location"] == "/trainer"
    return client
