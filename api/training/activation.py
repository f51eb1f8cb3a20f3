"""Putting a trainer's model in service and rolling back, in either way models are distributed;
each use case logs who did it and what it replaced.

push (MODEL_DISTRIBUTION=push, `make run`): `PUT /model` on the one Rasa server, checked with
`GET /status`, outside the database's write lock. pull (a cluster): only the stored model in
service changes (distribution.py); every replica pulls it within its pull interval.
"""

from pathlib import Path

from sqlalchemy.orm import Session

from api.core.config import Settings
from api.core.db import utcnow
from api.training import audit, distribution, trained_models
from api.training.models import TrainingModel
from api.training.service import TrainingConflict
from api.training.serving import RasaServer, model_path
from api.training.write_lock import without_write_lock


def pulled(settings: Settings) -> bool:
    """The replicas pull the model in service (rather than being sent it)."""
    return settings.model_distribution == "pull"


def activate(*, session: Session, settings: Settings, model: TrainingModel, actor_id: int) -> None:
    """Put `model` in service. TrainingConflict when it cannot be; ServingError when the Rasa
    server did not take it (then nothing changed)."""
    if pulled(settings):
        now = utcnow()
        replaced = distribution.activate(session=session, model=model, actor_id=actor_id, now=now)
    else:
        if not Path(model.path).is_file():
            raise TrainingConflict("Le fichier de ce modèle n'existe plus.")
        served = without_write_lock(session, lambda: _swap(settings, Path(model.path)))
        now = utcnow()
        on_disk = model_path(settings, served) if served else None
        trained_models.mark_active(
            session=session,
            model=model,
            actor_id=actor_id,
            replaced_path=str(on_disk) if on_disk and str(on_disk) != model.path else None,
            now=now,
        )
        replaced = served or "inconnu"
    detail = f"Modèle {model.version} mis en service (remplace {replaced})."
    audit.record(
        session=session, actor_id=actor_id, action="model_activated", detail=detail, now=now
    )


def _swap(settings: Settings, model: Path) -> str | None:
    """Load `model` on the Rasa server; the file name of the one it replaced."""
    server = RasaServer(settings)
    served = server.model_file()
    server.activate(model)
    return served


def roll_back(*, session: Session, settings: Settings, actor_id: int) -> str:
    """Put back the model the one in service replaced; its name. TrainingConflict when there is
    none; ServingError when the Rasa server did not take it (then nothing changed)."""
    if pulled(settings):
        now = utcnow()
        retired, back = distribution.roll_back(session=session, actor_id=actor_id, now=now)
    else:
        retired, previous = _previous_model(session)
        without_write_lock(session, lambda: RasaServer(settings).activate(previous))
        now = utcnow()
        trained_models.mark_rolled_back(session=session, model=retired, actor_id=actor_id, now=now)
        back = previous.name
    detail = f"Retour au modèle {back} (le modèle {retired.version} est retiré)."
    audit.record(
        session=session, actor_id=actor_id, action="model_rolled_back", detail=detail, now=now
    )
    return back


def _previous_model(session: Session) -> tuple[TrainingModel, Path]:
    """The model in service and the file of the one it replaced (push)."""
    model = trained_models.active_model(session=session)
    if model is None or not model.replaced_path:
        raise TrainingConflict("Aucun modèle précédent à remettre en service.")
    previous = Path(model.replaced_path)
    if not previous.is_file():
        raise TrainingConflict("Le fichier du modèle précédent n'existe plus.")
    return model, previous
