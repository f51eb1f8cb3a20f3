"""Which stored model is in service, and the replicas that pull it (MODEL_DISTRIBUTION=pull).

Activating or rolling back only changes the one `model_serving` row; each Rasa replica pulls
`GET /internal/model` every few seconds and loads the new file when its ETag changed (see
pulls.py). Keyword-only functions that only flush; the caller's transaction commits.
"""

from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from api.training import artifacts, trained_models
from api.training.artifacts import StoredModel
from api.training.models import (
    ModelArtifact,
    ModelServing,
    ModelStatus,
    TrainingModel,
)
from api.training.service import TrainingConflict

SERVING_ROW = 1


def _on_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def in_service(*, session: Session) -> StoredModel | None:
    """The stored model every replica should run: one indexed read, no bytes."""
    row = session.execute(
        select(
            ModelArtifact.id,
            ModelArtifact.sha256,
            ModelArtifact.file_name,
            ModelArtifact.size_bytes,
        )
        .join(ModelServing, ModelServing.artifact_id == ModelArtifact.id)
        .where(ModelServing.id == SERVING_ROW)
    ).first()
    if row is None:
        return None
    return StoredModel(
        id=row.id, sha256=row.sha256, file_name=row.file_name, size_bytes=row.size_bytes
    )


def serving_record(*, session: Session) -> ModelServing | None:
    return session.get(ModelServing, SERVING_ROW)


def put_in_service(
    *, session: Session, artifact_id: int, actor_id: int | None, now: datetime
) -> int | None:
    """Point the replicas at a stored model; the id of the one it replaces, if any.

    The row is locked (SQLite: the writer's lock), so two activations at once are applied one
    after the other, each knowing what it really replaced.
    """
    row = session.scalars(
        select(ModelServing).where(ModelServing.id == SERVING_ROW).with_for_update()
    ).first()
    if row is None:
        insert = postgresql_insert if _on_postgresql(session) else sqlite_insert
        created = session.execute(
            insert(ModelServing)
            .values(id=SERVING_ROW, artifact_id=artifact_id, changed_at=now, changed_by_id=actor_id)
            .on_conflict_do_nothing(index_elements=[ModelServing.id])
            .returning(ModelServing.id)
        ).first()
        if created is not None:
            return None
        row = session.scalars(
            select(ModelServing).where(ModelServing.id == SERVING_ROW).with_for_update()
        ).one()
    previous = row.artifact_id
    row.artifact_id = artifact_id
    row.changed_at = now
    row.changed_by_id = actor_id
    session.flush()
    return previous


def labels(*, session: Session, artifact_ids: set[int]) -> dict[int, str]:
    """What people call each stored model: the trainer's version, else its file name."""
    if not artifact_ids:
        return {}
    names = dict(
        session.execute(
            select(ModelArtifact.id, ModelArtifact.file_name).where(
                ModelArtifact.id.in_(artifact_ids)
            )
        ).all()
    )
    versions = session.execute(
        select(TrainingModel.artifact_id, TrainingModel.version).where(
            TrainingModel.artifact_id.in_(artifact_ids)
        )
    ).all()
    names.update({artifact_id: version for artifact_id, version in versions if artifact_id})
    return names


def label(*, session: Session, artifact_id: int | None) -> str:
    if artifact_id is None:
        return "aucun"
    return labels(session=session, artifact_ids={artifact_id}).get(artifact_id, "inconnu")


def artifact_of(*, session: Session, model: TrainingModel, now: datetime) -> int:
    """The stored file of a trainer's model; stored now from this host's disk if it never was
    (a model trained before models were stored in the database)."""
    if model.artifact_id is not None:
        return model.artifact_id
    path = Path(model.path)
    if not path.is_file():
        raise TrainingConflict(
            "Le fichier de ce modèle n'est ni dans la base ni sur ce serveur\u00a0: "
            "il ne peut pas être distribué aux répliques."
        )
    try:
        model.artifact_id = artifacts.store(session=session, path=path, now=now).id
    except (artifacts.ArtifactError, OSError) as error:
        message = getattr(error, "message", "lecture du fichier impossible")
        raise TrainingConflict(f"Le modèle n'a pas pu être enregistré\u00a0: {message}") from None
    session.flush()
    return model.artifact_id


def activate(*, session: Session, model: TrainingModel, actor_id: int, now: datetime) -> str:
    """Put a trainer's model in service for every replica; what it replaced, for the log."""
    artifact_id = artifact_of(session=session, model=model, now=now)
    previous = put_in_service(session=session, artifact_id=artifact_id, actor_id=actor_id, now=now)
    replaced = label(session=session, artifact_id=previous)
    if previous is not None and previous != artifact_id:
        model.replaced_artifact_id = previous
        previous_name = session.get(ModelArtifact, previous)
        replaced_path = previous_name.file_name if previous_name else None
    else:
        replaced_path = model.replaced_path
    trained_models.mark_active(
        session=session, model=model, actor_id=actor_id, replaced_path=replaced_path, now=now
    )
    return replaced


def roll_back(*, session: Session, actor_id: int, now: datetime) -> tuple[TrainingModel, str]:
    """Put back the stored model the active one replaced; (the model retired, what is back)."""
    model = trained_models.active_model(session=session)
    if model is None or model.replaced_artifact_id is None:
        raise TrainingConflict("Aucun modèle précédent à remettre en service.")
    previous_id = model.replaced_artifact_id
    put_in_service(session=session, artifact_id=previous_id, actor_id=actor_id, now=now)
    trained_models.mark_rolled_back(
        session=session,
        model=model,
        actor_id=actor_id,
        now=now,
        previous=TrainingModel.artifact_id == previous_id,
    )
    return model, label(session=session, artifact_id=previous_id)


def publish(
    *, session: Session, path: Path, now: datetime, serve: bool = True
) -> tuple[ModelArtifact, bool]:
    """Store a model file (once per content) and, with `serve`, put it in service unless a
    trainer's model is: like `scripts/serving-model.sh`, a trainer's choice is never replaced
    by a new `make train`. (the stored row, whether it is now in service)."""
    if not serve:
        artifact = artifacts.store(session=session, path=path, now=now)
        current = serving_record(session=session)
        return artifact, current is not None and current.artifact_id == artifact.id
    current = serving_record(session=session)
    if current is None:
        # Switching from push to pull: the model a trainer activated stays in service.
        active = trained_models.active_model(session=session)
        if active is not None and (active.artifact_id or Path(active.path).is_file()):
            artifact_id = artifact_of(session=session, model=active, now=now)
            put_in_service(session=session, artifact_id=artifact_id, actor_id=None, now=now)
            current = serving_record(session=session)
        elif active is not None:  # its file is gone: the published one replaces it
            active.status = ModelStatus.RETIRED
    artifact = artifacts.store(session=session, path=path, now=now)
    if current is not None:
        trained = session.scalar(
            select(TrainingModel.id).where(TrainingModel.artifact_id == current.artifact_id)
        )
        if trained is not None or current.artifact_id == artifact.id:
            return artifact, current.artifact_id == artifact.id
    put_in_service(session=session, artifact_id=artifact.id, actor_id=None, now=now)
    return artifact, True
