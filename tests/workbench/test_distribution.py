"""The model server the Rasa replicas pull from, and activation in pull mode (both databases)."""

import hashlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from api.accounts.models import StaffUser
from api.core.config import Settings
from api.core.db import utcnow
from api.training import distribution
from api.training.models import (
    ModelArtifact,
    ModelArtifactChunk,
    ModelReplica,
    ModelStatus,
    TrainingEvent,
    TrainingModel,
)
from tests.web.helpers import csrf_token
from tests.workbench.distribution_support import (
    MODEL_BYTES,
    MODEL_TOKEN,
    RasaLikeReplica,
    model_file,
    trained_model,
)

AUTH = {"Authorization": f"Bearer {MODEL_TOKEN}"}


@pytest.fixture
def pulling(app: FastAPI, workbench: Settings) -> Iterator[Settings]:
    """The workbench's settings in pull mode (Rasa's HTTP API stays unreachable)."""
    changed = workbench.model_copy(
        update={"model_distribution": "pull", "model_server_token": SecretStr(MODEL_TOKEN)}
    )
    app.state.settings = changed
    yield changed
    app.state.settings = workbench


def publish(db: Session, path: Path) -> ModelArtifact:
    artifact, _ = distribution.publish(session=db, path=path, now=utcnow())
    db.commit()
    return artifact


def fresh(db: Session) -> Session:
    """The session with what other sessions committed since (no read snapshot left open)."""
    db.commit()
    db.expire_all()
    return db


def replicas(db: Session) -> dict[str, str | None]:
    fresh(db)
    rows = db.scalars(select(ModelReplica)).all()
    db.commit()
    return {row.name: row.fingerprint for row in rows}


def test_the_model_server_is_off_in_push_mode(client: TestClient, workbench: Settings) -> None:
    response = client.get("/internal/model", params={"replica": "rasa-1"}, headers=AUTH)
    assert response.status_code == 404
    assert "/internal/model" not in client.get("/openapi.json").text


def test_only_the_replicas_token_is_accepted(
    client: TestClient, pulling: Settings, db: Session
) -> None:
    for headers in (
        {},
        {"Authorization": "Bearer wrong-token"},
        {"Authorization": f"Basic {MODEL_TOKEN}"},
        {"Authorization": MODEL_TOKEN},
    ):
        response = client.get("/internal/model", params={"replica": "rasa-1"}, headers=headers)
        assert response.status_code == 401, headers
        assert response.headers["WWW-Authenticate"] == "Bearer"
    assert replicas(db) == {}
    assert (
        client.get("/internal/model", params={"replica": "rasa-1"}, headers=AUTH).status_code == 404
    )


@pytest.mark.parametrize("name", ["", "../rasa", "réplique", "rasa 1", "-rasa", "r" * 64])
def test_a_replica_names_itself_plainly(client: TestClient, pulling: Settings, name: str) -> None:
    response = client.get("/internal/model", params={"replica": name}, headers=AUTH)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "replica"


def test_nothing_in_service_is_404_and_the_pull_is_still_seen(
    client: TestClient, pulling: Settings, db: Session
) -> None:
    response = client.get(
        "/internal/model", params={"replica": "rasa-1"}, headers={**AUTH, "If-None-Match": "abc"}
    )
    assert response.status_code == 404
    assert replicas(db) == {"rasa-1": "abc"}


def test_the_model_in_service_with_its_headers_then_not_modified(
    client: TestClient, pulling: Settings, db: Session, tmp_path: Path
) -> None:
    path = model_file(tmp_path, "vigilance.tar.gz")
    sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    artifact = publish(db, path)
    assert (artifact.sha256, artifact.size_bytes) == (sha256, MODEL_BYTES)
    assert db.scalar(select(func.count()).select_from(ModelArtifactChunk)) == 3
    db.commit()  # no read snapshot left open (SQLite) for the delete below to trip on

    response = client.get(
        "/internal/model", params={"replica": "rasa-1"}, headers={**AUTH, "If-None-Match": "0f3a"}
    )
    assert response.status_code == 200
    assert response.content == path.read_bytes()
    assert response.headers["ETag"] == f'"{sha256}"'
    assert response.headers["filename"] == "vigilance.tar.gz"
    assert response.headers["Content-Length"] == str(MODEL_BYTES)
    assert response.headers["Content-Type"] == "application/gzip"

    # A 304 never reads the file: it answers with the slices gone.
    db.execute(delete(ModelArtifactChunk))
    db.commit()
    for tag in ("*", f'"{sha256}"', sha256, f'W/"{sha256}"', f'"other", "{sha256}"'):
        again = client.get(
            "/internal/model", params={"replica": "rasa-1"}, headers={**AUTH, "If-None-Match": tag}
        )
        assert again.status_code == 304, tag
        assert again.headers["ETag"] == f'"{sha256}"'
        assert again.content == b""
    assert replicas(db) == {"rasa-1": sha256}


def test_a_download_streams_over_http_with_its_length(
    live_server: str, pulling: Settings, db: Session, tmp_path: Path
) -> None:
    path = model_file(tmp_path, "vigilance.tar.gz")
    publish(db, path)
    with (
        httpx.Client(base_url=live_server) as http,
        http.stream("GET", "/internal/model", params={"replica": "rasa-1"}, headers=AUTH) as got,
    ):
        assert got.status_code == 200
        assert "chunked" not in got.headers.get("Transfer-Encoding", "")
        body = b"".join(got.iter_bytes())
    assert int(got.headers["Content-Length"]) == len(body) == MODEL_BYTES
    assert hashlib.sha256(body).hexdigest() == got.headers["ETag"].strip('"')


def _post(client: TestClient, path: str, form_page: str) -> str:
    response = client.post(
        path, data={"csrf_token": csrf_token(client, form_page)}, follow_redirects=True
    )
    assert response.status_code == 200
    return response.text


def test_activation_and_rollback_reach_a_replica_pulling_like_rasa(
    signed_in: TestClient,
    pulling: Settings,
    db: Session,
    trainer: StaffUser,
    tmp_path: Path,
) -> None:
    base = model_file(tmp_path / "models", "vigilance.tar.gz")
    publish(db, base)
    new = trained_model(
        db, trainer, model_file(tmp_path / "trained", "v20261201-100000.tar.gz"), minute=1
    )
    replica = RasaLikeReplica(signed_in, "rasa-1", tmp_path / "rasa-1")

    assert replica.pull() == 200  # a replica starting up, its fingerprint a random id
    assert replica.model is not None and replica.model.read_bytes() == base.read_bytes()
    assert replica.pull() == 304
    assert replicas(db) == {"rasa-1": hashlib.sha256(base.read_bytes()).hexdigest()}

    page = _post(
        signed_in, f"/trainer/modeles/{new.version}/activer", f"/trainer/modeles/{new.version}"
    )
    assert f"Le modèle {new.version} est en service" in page  # no Rasa server was asked
    assert replica.pull() == 200
    assert replica.model.name == "v20261201-100000.tar.gz"
    assert replica.model.read_bytes() == Path(new.path).read_bytes()
    assert replica.pull() == 304
    fresh(db)
    assert new.status == ModelStatus.ACTIVE and new.activated_by_id == trainer.id
    assert new.replaced_path == "vigilance.tar.gz"

    page = _post(signed_in, "/trainer/modeles/retour", "/trainer")
    assert "Le modèle vigilance.tar.gz est de nouveau en service" in page
    assert replica.pull() == 200
    assert replica.model.name == "vigilance.tar.gz"
    assert replica.pull() == 304
    fresh(db)
    assert db.scalar(select(TrainingModel.status).where(TrainingModel.id == new.id)) == (
        ModelStatus.RETIRED
    )
    served = distribution.in_service(session=db)
    assert served is not None and served.file_name == "vigilance.tar.gz"
    details = [e.detail for e in db.scalars(select(TrainingEvent).order_by(TrainingEvent.id))]
    assert details == [
        f"Modèle {new.version} mis en service (remplace vigilance.tar.gz).",
        f"Retour au modèle vigilance.tar.gz (le modèle {new.version} est retiré).",
    ]


def test_a_model_trained_before_storage_is_stored_when_activated(
    signed_in: TestClient, pulling: Settings, db: Session, trainer: StaffUser, tmp_path: Path
) -> None:
    path = model_file(tmp_path, "v20261201-100000.tar.gz")
    old = trained_model(db, trainer, path, minute=1, stored=False)
    gone = trained_model(db, trainer, tmp_path / "v20261201-100200.tar.gz", minute=2, stored=False)
    page = _post(
        signed_in, f"/trainer/modeles/{gone.version}/activer", f"/trainer/modeles/{gone.version}"
    )
    assert "ni dans la base ni sur ce serveur" in page
    _post(signed_in, f"/trainer/modeles/{old.version}/activer", f"/trainer/modeles/{old.version}")
    replica = RasaLikeReplica(signed_in, "rasa-1", tmp_path / "rasa-1")
    assert replica.pull() == 200 and replica.model is not None
    assert replica.model.read_bytes() == path.read_bytes()
