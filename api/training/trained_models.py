"""The models trained in the workbench and which of them is in service (push: the one Rasa
server; pull: see distribution.py). Functions only flush."""

from datetime import datetime

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.orm import Session

from api.training.models import ModelStatus, TrainingModel


def get_model(*, session: Session, version: str) -> TrainingModel | None:
    return session.scalars(select(TrainingModel).where(TrainingModel.version == version)).first()


def list_models(*, session: Session) -> list[TrainingModel]:
    return list(session.scalars(select(TrainingModel).order_by(TrainingModel.id.desc())))


def active_model(*, session: Session) -> TrainingModel | None:
    query = select(TrainingModel).where(TrainingModel.status == ModelStatus.ACTIVE)
    return session.scalars(query.limit(1)).first()


def mark_active(
    *,
    session: Session,
    model: TrainingModel,
    actor_id: int,
    replaced_path: str | None,
    now: datetime,
) -> None:
    """`model` is now in service; the one it replaces is retired."""
    session.execute(
        update(TrainingModel)
        .where(TrainingModel.status == ModelStatus.ACTIVE, TrainingModel.id != model.id)
        .values(status=ModelStatus.RETIRED)
    )
    model.status = ModelStatus.ACTIVE
    model.activated_by_id = actor_id
    model.activated_at = now
    model.replaced_path = replaced_path
    session.flush()


def mark_rolled_back(
    *,
    session: Session,
    model: TrainingModel,
    actor_id: int,
    now: datetime,
    previous: ColumnElement[bool] | None = None,
) -> None:
    """`model` left service for the one it had replaced (a trainer's model, or the base one):
    the trainer's model matching `previous`, by default the one at `model.replaced_path`."""
    model.status = ModelStatus.RETIRED
    condition = TrainingModel.path == model.replaced_path if previous is None else previous
    back = session.scalars(select(TrainingModel).where(condition).limit(1)).first()
    if back is not None:
        back.status = ModelStatus.ACTIVE
        back.activated_by_id = actor_id
        back.activated_at = now
    session.flush()
