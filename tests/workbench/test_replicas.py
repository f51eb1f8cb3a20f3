"""Replicas take a new model one at a time, and the models page shows what each one runs."""

import hashlib
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy.orm import Session

from api.accounts.models import StaffUser
from api.core.config import Settings
from api.core.db import utcnow
from api.training import distribution, pulls
from api.web.trainer.replicas import ReplicaRow
from tests.web.markup import parse
from tests.workbench.distribution_support import (
    MODEL_TOKEN,
    RasaLikeReplica,
    model_file,
    trained_model,
)

VERSION = "v20261201-100000"


@pytest.fixture
def pulling(app: FastAPI, workbench: Settings) -> Iterator[Settings]:
    changed = workbench.model_copy(
        update={"model_distribution": "pull", "model_server_token": SecretStr(MODEL_TOKEN)}
    )
    app.state.settings = changed
    yield changed
    app.state.settings = workbench


def _two_models(db: Session, trainer: StaffUser, folder: Path) -> tuple[str, str, int]:
    """The base model in service and a trained one ready: (their sha256, the trained one's
    artifact id); the trained model's version is `VERSION`."""
    base = model_file(folder, "vigilance.tar.gz")
    distribution.publish(session=db, path=base, now=utcnow())
    db.commit()
    new = trained_model(db, trainer, model_file(folder, "v20261201-100000.tar.gz"), minute=1)
    new.version = VERSION
    db.commit()
    digest = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}
    assert new.artifact_id is not None
    return digest["vigilance.tar.gz"], digest["v20261201-100000.tar.gz"], new.artifact_id


def test_replicas_take_a_new_model_one_at_a_time(
    client: TestClient, pulling: Settings, db: Session, trainer: StaffUser, tmp_path: Path
) -> None:
    base, new, new_id = _two_models(db, trainer, tmp_path / "models")
    one, two = (RasaLikeReplica(client, name, tmp_path / name) for name in ("rasa-1", "rasa-2"))
    assert (one.pull(), two.pull()) == (200, 200)  # starting replicas are never held back
    distribution.put_in_service(session=db, artifact_id=new_id, actor_id=trainer.id, now=utcnow())
    db.commit()

    assert one.pull() == 200  # rasa-1 loads the new model (and answers nothing meanwhile)
    assert two.pull() == 304  # rasa-2 keeps serving the previous one
    assert two.fingerprint.strip('"') == base
    starting = RasaLikeReplica(client, "rasa-3", tmp_path / "rasa-3")
    assert starting.pull() == 200  # a replica with no model gets it at once
    assert one.pull() == 304  # rasa-1 runs the new model: rasa-2's turn
    assert two.pull() == 200
    assert two.fingerprint.strip('"') == new


def test_a_replica_that_never_comes_back_holds_the_others_for_a_while_only(
    pulling: Settings, db: Session, trainer: StaffUser, tmp_path: Path
) -> None:
    base, new, new_id = _two_models(db, trainer, tmp_path / "models")
    now = utcnow()
    for name in ("rasa-1", "rasa-2"):
        pulls.record_pull(session=db, name=name, fingerprint=base, sent_sha256=None, now=now)
    distribution.put_in_service(session=db, artifact_id=new_id, actor_id=None, now=now)
    first = pulls.answer_pull(session=db, name="rasa-1", tags=[base], now=now)
    assert first.outcome == "send"
    later = now + pulls.LOAD_TIMEOUT - timedelta(seconds=1)
    assert pulls.answer_pull(session=db, name="rasa-2", tags=[base], now=later).outcome == "wait"
    after = now + pulls.LOAD_TIMEOUT + timedelta(seconds=1)
    assert pulls.answer_pull(session=db, name="rasa-2", tags=[base], now=after).outcome == "send"
    assert pulls.answer_pull(session=db, name="rasa-2", tags=[new], now=after).outcome == "current"
    db.commit()


def _rows(client: TestClient) -> list[ReplicaRow]:
    response = client.get("/trainer")
    assert response.status_code == 200
    rows: list[ReplicaRow] = response.context["replicas"]
    return rows


def test_the_models_page_shows_what_each_replica_runs(
    signed_in: TestClient, pulling: Settings, db: Session, trainer: StaffUser, tmp_path: Path
) -> None:
    base, new, new_id = _two_models(db, trainer, tmp_path / "models")
    now = utcnow()
    distribution.put_in_service(
        session=db, artifact_id=new_id, actor_id=trainer.id, now=now - timedelta(seconds=20)
    )
    seen = [  # name, If-None-Match, sent the new model, seconds ago
        ("rasa-1", new, False, 8),
        ("rasa-2", base, True, 12),
        ("rasa-3", base, False, 3),
        ("rasa-4", new, False, 300),
        ("rasa-old", base, False, 3 * 86400),
    ]
    for name, fingerprint, sent, seconds in seen:
        pulls.record_pull(
            session=db,
            name=name,
            fingerprint=fingerprint,
            sent_sha256=new if sent else None,
            now=now - timedelta(seconds=seconds),
        )
    db.commit()
    rows = _rows(signed_in)
    assert [(r.name, r.model, r.state) for r in rows] == [
        ("rasa-1", VERSION, "up_to_date"),
        ("rasa-2", "vigilance.tar.gz", "loading"),
        ("rasa-3", "vigilance.tar.gz", "waiting"),
        ("rasa-4", VERSION, "silent"),
    ]
    assert rows[0].seen == "il y a 8\u00a0s" and rows[2].label.startswith("Attend son tour")
    section = parse(signed_in.get("/trainer").text).find("section", aria_labelledby="en-service")
    text = section.text
    assert VERSION in text and "Thomas Girard" in text
    assert "1 réplique sur 4 à jour" in section.find("caption").text
    warnings = [p.text for p in section.select_class("p", "message--error")]
    assert warnings == [
        "La réplique rasa-4 n'a pas demandé son modèle depuis 5\u00a0min\u00a0: "
        "est-elle arrêtée\u00a0?"
    ]

    # Minutes later, none loading: rasa-3 is late, and the page says so.
    pulls.record_pull(session=db, name="rasa-2", fingerprint=new, sent_sha256=None, now=now)
    distribution.put_in_service(
        session=db, artifact_id=new_id, actor_id=trainer.id, now=now - timedelta(minutes=5)
    )
    db.commit()
    states = {r.name: r.state for r in _rows(signed_in)}
    assert states == {
        "rasa-1": "up_to_date",
        "rasa-2": "up_to_date",
        "rasa-3": "late",
        "rasa-4": "silent",
    }


def test_the_page_says_when_nothing_is_in_service_or_no_replica_asked(
    signed_in: TestClient, pulling: Settings
) -> None:
    main = parse(signed_in.get("/trainer").text).find("main").text
    assert "Aucun modèle n'est en service" in main
    assert "Aucune réplique de l'assistant n'a encore demandé" in main
    assert "Le serveur de l'assistant ne répond pas" not in main  # Rasa's HTTP API is not asked
