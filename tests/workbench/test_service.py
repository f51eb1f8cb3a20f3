"""The workbench's records on both databases: one training at a time, each message once."""

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.accounts.models import StaffRole
from api.training import decisions, service, trained_models
from api.training.models import (
    ModelStatus,
    Outcome,
    RunState,
    TrainingDecision,
    TrainingModel,
    TrainingRun,
)
from tests.factories import Factory

NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)


def test_a_second_training_is_refused_while_one_is_queued(db: Session, factory: Factory) -> None:
    trainer = factory.staff(StaffRole.TRAINER)
    run = service.queue_run(session=db, actor_id=trainer.id, now=NOW)
    db.commit()
    with pytest.raises(service.TrainingConflict, match="déjà en cours"):
        service.queue_run(session=db, actor_id=trainer.id, now=NOW.replace(minute=1))
    db.rollback()
    service.fail_run(session=db, run_id=run.id, error="arrêt", now=NOW)
    db.commit()
    again = service.queue_run(session=db, actor_id=trainer.id, now=NOW.replace(minute=2))
    db.commit()
    assert again.active_slot == 1 and again.version == "v20261126-150200"


def test_the_database_itself_refuses_two_active_runs(db: Session, factory: Factory) -> None:
    trainer = factory.staff(StaffRole.TRAINER)
    for minute in (1, 2):
        db.add(
            TrainingRun(
                state=RunState.QUEUED,
                active_slot=1,
                version=f"v20261126-15{minute:02d}00",
                requested_by_id=trainer.id,
                requested_at=NOW,
            )
        )
    with pytest.raises(IntegrityError):
        db.commit()
    db.rollback()


def test_the_worker_claims_a_queued_run_once(db: Session, factory: Factory, tmp_path: Path) -> None:
    trainer = factory.staff(StaffRole.TRAINER)
    run = service.queue_run(session=db, actor_id=trainer.id, now=NOW)
    db.commit()
    claimed = service.claim_run(session=db, now=NOW, runs_dir=tmp_path, worker_id="w1")
    db.commit()
    assert claimed is not None and claimed.id == run.id
    assert claimed.state == RunState.TRAINING
    assert claimed.log_path == str(tmp_path / run.version / "train.log")
    assert service.claim_run(session=db, now=NOW, runs_dir=tmp_path, worker_id="w2") is None
    assert service.interrupt_stale_runs(session=db, now=NOW, stale_before=NOW) == 0  # alive
    assert (
        service.interrupt_stale_runs(session=db, now=NOW, stale_before=NOW.replace(minute=1)) == 1
    )
    db.commit()
    assert service.current_run(session=db) is None


def test_a_message_is_decided_once(db: Session, factory: Factory) -> None:
    trainer = factory.staff(StaffRole.TRAINER)
    decisions.decide(
        session=db,
        message_key="a" * 40,
        outcome=Outcome.DISCARDED,
        intent=None,
        actor_id=trainer.id,
        now=NOW,
    )
    with pytest.raises(service.TrainingConflict, match="déjà été traité"):
        decisions.decide(
            session=db,
            message_key="a" * 40,
            outcome=Outcome.CONFIRMED,
            intent="greet",
            actor_id=trainer.id,
            now=NOW,
        )
    db.commit()
    assert db.scalar(select(func.count()).select_from(TrainingDecision)) == 1
    assert decisions.handled_keys(session=db) == {"a" * 40}


def test_activation_and_rollback_keep_who_and_which(db: Session, factory: Factory) -> None:
    trainer = factory.staff(StaffRole.TRAINER)
    admin = factory.staff(StaffRole.ADMIN)
    models = []
    for minute in (1, 2):
        run = service.queue_run(session=db, actor_id=trainer.id, now=NOW.replace(minute=minute))
        models.append(
            service.finish_run(
                session=db, run=run, model_path=f"/m/{run.version}.tar.gz", evaluation={}, now=NOW
            )
        )
    first, second = models
    trained_models.mark_active(
        session=db, model=first, actor_id=trainer.id, replaced_path="/m/base.tar.gz", now=NOW
    )
    trained_models.mark_active(
        session=db, model=second, actor_id=admin.id, replaced_path=first.path, now=NOW
    )
    db.commit()
    assert (first.status, second.status) == (ModelStatus.RETIRED, ModelStatus.ACTIVE)
    assert second.activated_by_id == admin.id and second.trained_by_id == trainer.id
    trained_models.mark_rolled_back(session=db, model=second, actor_id=trainer.id, now=NOW)
    db.commit()
    assert trained_models.active_model(session=db) == first
    assert first.activated_by_id == trainer.id
    statuses = db.scalars(select(TrainingModel.status).order_by(TrainingModel.id)).all()
    assert statuses == [ModelStatus.ACTIVE, ModelStatus.RETIRED]


def test_the_worker_alone_knows_every_table_its_rows_point_to() -> None:
    """The worker imports only its domain: a foreign key to an unloaded table fails at flush."""
    code = (
        "import api.training.worker\n"
        "from api.core.db import Base\n"
        "missing = [fk.target_fullname for table in Base.metadata.tables.values()\n"
        "           for fk in table.foreign_keys\n"
        "           if fk.target_fullname.split('.')[0] not in Base.metadata.tables]\n"
        "assert not missing, missing\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
