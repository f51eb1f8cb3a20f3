"""Model files for the distribution tests, a replica that pulls the way Rasa 3.6 does, and a
trained model recorded as the training worker records it."""

import random
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.accounts.models import StaffUser
from api.core.db import utcnow
from api.training import artifacts, service
from api.training.models import TrainingModel

MODEL_TOKEN = "model-server-token-0123456789-abcdefgh"
# Two and a half slices: the last one is short.
MODEL_BYTES = artifacts.CHUNK_BYTES * 5 // 2


def model_file(folder: Path, name: str, size: int = MODEL_BYTES) -> Path:
    """A file of `size` bytes that no other test writes (content seeded by its name)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(random.Random(name).randbytes(size))
    return path


def trained_model(
    db: Session, trainer: StaffUser, path: Path, *, minute: int, stored: bool = True
) -> TrainingModel:
    """A model as a finished run leaves it: its file stored in the database, or not (trained
    before models were stored)."""
    run = service.queue_run(session=db, actor_id=trainer.id, now=utcnow().replace(minute=minute))
    artifact = artifacts.store(session=db, path=path, now=utcnow()) if stored else None
    model = service.finish_run(
        session=db,
        run=run,
        model_path=str(path),
        evaluation={},
        now=utcnow(),
        artifact_id=artifact.id if artifact else None,
    )
    db.commit()
    return model


@dataclass
class RasaLikeReplica:
    """Pulls as `rasa.core.agent._pull_model_and_fingerprint` does: If-None-Match with its
    fingerprint (a random hex id before any model), 204/304 keep the model, 200 saves the body
    under the `filename` header and takes the ETag as the new fingerprint."""

    client: TestClient | httpx.Client
    name: str
    folder: Path
    fingerprint: str = field(default_factory=lambda: uuid.uuid4().hex)
    model: Path | None = None

    def pull(self) -> int:
        response = self.client.get(
            "/internal/model",
            params={"replica": self.name},
            headers={"If-None-Match": self.fingerprint, "Authorization": f"Bearer {MODEL_TOKEN}"},
        )
        if response.status_code == 200:
            self.folder.mkdir(parents=True, exist_ok=True)
            self.model = self.folder / response.headers.get("filename", "model.tar.gz")
            self.model.write_bytes(response.content)
            self.fingerprint = response.headers["ETag"]
        return response.status_code
