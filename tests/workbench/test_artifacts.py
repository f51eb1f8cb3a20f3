"""Model files in the database (both databases): stored once, read back a slice at a time,
published by a command, and found by the training worker in pull mode."""

import hashlib
import os
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest
from fastapi import FastAPI
from pydantic import SecretStr, ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.accounts.models import StaffRole
from api.core.config import Settings
from api.core.db import begin_write, utcnow
from api.training import artifacts, distribution, worker
from api.training.models import ModelArtifact
from tests.conftest import TEST_KEYS, TEST_KEYS_ENV, TEST_SECRET
from tests.factories import Factory
from tests.workbench.distribution_support import MODEL_TOKEN, model_file, trained_model

ROOT = Path(__file__).resolve().parents[2]


def test_a_model_is_stored_once_and_read_back_a_slice_at_a_time(
    app: FastAPI, db: Session, tmp_path: Path
) -> None:
    path = model_file(tmp_path, "vigilance.tar.gz", size=12 * artifacts.CHUNK_BYTES + 17)
    tracemalloc.start()
    try:
        stored = artifacts.store(session=db, path=path, now=utcnow())
        db.commit()
        _, storing_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        digest = hashlib.sha256()
        for chunk in artifacts.content(app.state.sessionmaker, artifacts.describe(stored)):
            digest.update(chunk)
        _, reading_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert digest.hexdigest() == stored.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    # A 12 MB file never sits in memory whole: a few slices at most.
    assert storing_peak < 4 * artifacts.CHUNK_BYTES, storing_peak
    assert reading_peak < 4 * artifacts.CHUNK_BYTES, reading_peak

    again = artifacts.store(session=db, path=path, now=utcnow())
    db.commit()
    assert again.id == stored.id
    assert db.scalar(select(func.count()).select_from(ModelArtifact)) == 1
    copy = artifacts.write_file(app.state.sessionmaker, artifacts.describe(stored), tmp_path / "c")
    assert copy.read_bytes() == path.read_bytes()


def test_only_a_plain_model_file_name_is_stored(db: Session, tmp_path: Path) -> None:
    for name in ("model.zip", ".tar.gz", "modèle.tar.gz"):
        path = model_file(tmp_path, name, size=10)
        with pytest.raises(artifacts.ArtifactError, match="Nom de fichier"):
            artifacts.store(session=db, path=path, now=utcnow())
    db.rollback()


def _publish(settings: Settings, *arguments: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": settings.database_url, **TEST_KEYS_ENV}
    return subprocess.run(  # the command `make cluster` runs
        [sys.executable, "-m", "api.training.publish", *arguments],
        cwd=ROOT,
        env={k: v for k, v in env.items() if k != "DEMO"},
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_publish_command_is_idempotent_and_keeps_a_trainers_choice(
    settings: Settings, db: Session, factory: Factory, tmp_path: Path
) -> None:
    base = model_file(tmp_path / "models", "vigilance.tar.gz")
    for _ in range(2):
        done = _publish(settings, str(base))
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip().endswith("en service")
    assert db.scalar(select(func.count()).select_from(ModelArtifact)) == 1
    db.commit()

    trainer = factory.staff(StaffRole.TRAINER)
    new = trained_model(db, trainer, model_file(tmp_path, "v20261201-100000.tar.gz"), minute=1)
    begin_write(db)
    distribution.activate(session=db, model=new, actor_id=trainer.id, now=utcnow())
    db.commit()
    rebuilt = model_file(tmp_path / "rebuilt", "vigilance.tar.gz", size=1000)  # a new make train
    done = _publish(settings, str(rebuilt))
    assert done.returncode == 0, done.stderr
    assert f"enregistré (en service\u00a0: {new.version})" in done.stdout
    served = distribution.in_service(session=db)
    db.commit()
    assert served is not None and served.id == new.artifact_id

    assert _publish(settings, str(tmp_path / "missing.tar.gz")).returncode == 2


def test_the_worker_evaluates_against_the_model_in_service_in_the_database(
    app: FastAPI, settings: Settings, db: Session, tmp_path: Path
) -> None:
    pulling = settings.model_copy(
        update={
            "model_distribution": "pull",
            "training_dir": tmp_path / "training",
            "base_model": tmp_path / "absent.tar.gz",
        }
    )
    assert worker.serving_model(pulling, app.state.sessionmaker) is None  # nothing in service
    base = model_file(tmp_path / "elsewhere", "vigilance.tar.gz")
    distribution.publish(session=db, path=base, now=utcnow())
    db.commit()
    base.unlink()  # published from another host: this one has no copy
    found = worker.serving_model(pulling, app.state.sessionmaker)
    assert found is not None and found.parent == tmp_path / "training" / "serving"
    served = distribution.in_service(session=db)
    assert served is not None and hashlib.sha256(found.read_bytes()).hexdigest() == served.sha256
    assert worker.serving_model(pulling, app.state.sessionmaker) == found  # copied once


def test_pull_mode_requires_its_own_token() -> None:
    with pytest.raises(ValidationError, match="MODEL_SERVER_TOKEN must be set"):
        Settings(**TEST_KEYS, model_distribution="pull")
    for token in ("short", TEST_SECRET):
        with pytest.raises(ValidationError, match="at least 32 characters"):
            Settings(**TEST_KEYS, model_distribution="pull", model_server_token=token)
    settings = Settings(**TEST_KEYS, model_distribution="pull", model_server_token=MODEL_TOKEN)
    assert settings.model_server_token == SecretStr(MODEL_TOKEN)
    assert MODEL_TOKEN not in repr(settings)
    assert Settings(**TEST_KEYS).model_distribution == "push"
