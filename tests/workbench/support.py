"""The assistant's files copied for a test, and a tracker store with Rasa's `events` table.

The tracker store here is filled row by row in Rasa's own format, for the pages' tests; the
inbox query is also tested against a store filled by a real conversation (tests/trainer/).
"""

import json
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from api.core.config import Settings
from tests.bot.net import closed_port_url

ROOT = Path(__file__).resolve().parents[2]
SECRET_TOKEN = "eyJhbGciOiJIUzI1NiJ9.token-that-must-never-be-shown"

# As Rasa 3.6's SQLTrackerStore creates it.
EVENTS_DDL = """
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    sender_id VARCHAR(255) NOT NULL,
    type_name VARCHAR(255) NOT NULL,
    timestamp FLOAT,
    intent_name VARCHAR(255),
    action_name VARCHAR(255),
    data TEXT
)
"""


def copy_assistant(target: Path) -> Path:
    """data/, domain.yml, config.yml and the held-out set, so the repository is never touched;
    the custom components (bot/) are linked, for Rasa to import them."""
    shutil.copytree(ROOT / "data", target / "data")
    (target / "bot").symlink_to(ROOT / "bot", target_is_directory=True)
    for name in ("domain.yml", "config.yml"):
        shutil.copy2(ROOT / name, target / name)
    (target / "tests").mkdir()
    shutil.copy2(ROOT / "tests" / "nlu_test.yml", target / "tests" / "nlu_test.yml")
    return target


@dataclass
class TrackerStore:
    path: Path
    clock: float = 1_780_000_000.0

    @property
    def url(self) -> str:
        return f"sqlite:///{self.path}"

    def create(self) -> None:
        with sqlite3.connect(self.path) as connection:
            connection.execute(EVENTS_DDL)

    def user_says(
        self,
        text: str,
        intent: str = "greet",
        confidence: float = 0.9,
        entities: list[dict[str, Any]] | None = None,
        sender: str = "assure-1-abc",
        timestamp: float | None = None,
    ) -> None:
        self.clock += 60
        stamp = timestamp if timestamp is not None else self.clock
        data = {
            "event": "user",
            "timestamp": stamp,
            "metadata": {"access_token": SECRET_TOKEN},
            "text": text,
            "parse_data": {
                "intent": {"name": intent, "confidence": confidence},
                "entities": entities or [],
                "text": text,
                "intent_ranking": [{"name": intent, "confidence": confidence}],
            },
            "input_channel": "rest",
        }
        with sqlite3.connect(self.path) as connection:
            connection.execute(
                "INSERT INTO events (sender_id, type_name, timestamp, intent_name, data) "
                "VALUES (?, 'user', ?, ?, ?)",
                (sender, stamp, intent, json.dumps(data)),
            )


@contextmanager
def pointed_at_files(
    app: FastAPI, settings: Settings, tmp_path: Path, assistant_dir: Path, tracker_url: str
) -> Iterator[Settings]:
    """The app's settings pointed at temporary files; Rasa's server and command line absent."""
    changed = settings.model_copy(
        update={
            "assistant_dir": assistant_dir,
            "training_dir": tmp_path / "training",
            "models_dir": tmp_path / "models",
            "base_model": tmp_path / "models" / "vigilance.tar.gz",
            "tracker_store_url": tracker_url,
            "rasa_url": closed_port_url(),
            "rasa_bin": tmp_path / "no-rasa",
        }
    )
    original = app.state.settings
    app.state.settings = changed
    try:
        yield changed
    finally:
        app.state.settings = original
