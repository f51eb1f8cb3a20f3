"""Putting a model in service and rolling back, in either way models are distributed.

push (MODEL_DISTRIBUTION=push, `make run`): `PUT /model` on the one Rasa server, checked with
`GET /status`, outside the database's write lock. pull (a cluster): only the stored model in
service changes; every replica pulls it within its pull interval, and the models page shows
them converging. Either way one `training_event` records who, when, and what it replaced.
"""

from datetime import datetime
from pathlib import Path

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse

from api.accounts.deps import SettingsDep
from api.accounts.service import Principal
from api.core.config import Settings
from api.core.db import SessionDep, utcnow
from api.trainer.actions import _back as back_to
from api.trainer.actions import _unlocked as unlocked
from api.trainer.pages import model_or_404
from api.trainer.ui import PREFIX, TrainerPageDep
from api.training import distribution, service
from api.training.models import TrainingModel
from api.training.serving import RasaServer, ServingError, model_path
from api.web.deps import CsrfDep

router = APIRouter(prefix=PREFIX, dependencies=[CsrfDep])

PULLED = "les répliques de l'assistant le chargent dans les secondes qui viennent (voir leur état)."


def _swap(settings: Settings, model: Path) -> str | None:
    """Put `model` in service; the file name of the one it replaced."""
    server = RasaServer(settings)
    served = server.model_file()
    server.activate(model)
    return served


def _record(session: Session, trainer: Principal, action: str, detail: str, now: datetime) -> None:
    service.record(session=session, actor_id=trainer.id, action=action, detail=detail, now=now)


@router.post("/modeles/{version}/activer")
def activate(
    version: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    trainer: TrainerPageDep,
) -> RedirectResponse:
    model = model_or_404(session, version)
    if settings.model_distribution == "pull":
        return _activate_pulled(request, session, trainer, model)
    back = f"{PREFIX}/modeles/{model.version}"
    if not Path(model.path).is_file():
        return back_to(request, back, "Le fichier de ce modèle n'existe plus.", "error")
    try:
        served = unlocked(session, lambda: _swap(settings, Path(model.path)))
    except ServingError as error:
        return back_to(request, back, error.message, "error")
    replaced = model_path(settings, served) if served else None
    now = utcnow()
    service.mark_active(
        session=session,
        model=model,
        actor_id=trainer.id,
        replaced_path=str(replaced) if replaced and str(replaced) != model.path else None,
        now=now,
    )
    detail = f"Modèle {model.version} mis en service (remplace {served or 'inconnu'})."
    _record(session, trainer, "model_activated", detail, now)
    return back_to(request, back, f"Le modèle {model.version} est en service.", "success")


def _activate_pulled(
    request: Request, session: Session, trainer: Principal, model: TrainingModel
) -> RedirectResponse:
    now = utcnow()
    try:
        replaced = distribution.activate(session=session, model=model, actor_id=trainer.id, now=now)
    except service.TrainingConflict as error:
        return back_to(request, f"{PREFIX}/modeles/{model.version}", error.message, "error")
    detail = f"Modèle {model.version} mis en service (remplace {replaced})."
    _record(session, trainer, "model_activated", detail, now)
    message = f"Le modèle {model.version} est en service\u00a0: {PULLED}"
    return back_to(request, PREFIX, message, "success")


@router.post("/modeles/retour")
def roll_back(
    request: Request, session: SessionDep, settings: SettingsDep, trainer: TrainerPageDep
) -> RedirectResponse:
    if settings.model_distribution == "pull":
        return _roll_back_pulled(request, session, trainer)
    model = service.active_model(session=session)
    if model is None or not model.replaced_path:
        return back_to(request, PREFIX, "Aucun modèle précédent à remettre en service.", "error")
    previous = Path(model.replaced_path)
    if not previous.is_file():
        return back_to(request, PREFIX, "Le fichier du modèle précédent n'existe plus.", "error")
    try:
        unlocked(session, lambda: RasaServer(settings).activate(previous))
    except ServingError as error:
        return back_to(request, PREFIX, error.message, "error")
    now = utcnow()
    service.mark_rolled_back(session=session, model=model, actor_id=trainer.id, now=now)
    detail = f"Retour au modèle {previous.name} (le modèle {model.version} est retiré)."
    _record(session, trainer, "model_rolled_back", detail, now)
    message = f"Le modèle {previous.name} est de nouveau en service."
    return back_to(request, PREFIX, message, "success")


def _roll_back_pulled(request: Request, session: Session, trainer: Principal) -> RedirectResponse:
    now = utcnow()
    try:
        retired, back = distribution.roll_back(session=session, actor_id=trainer.id, now=now)
    except service.TrainingConflict as error:
        return back_to(request, PREFIX, error.message, "error")
    detail = f"Retour au modèle {back} (le modèle {retired.version} est retiré)."
    _record(session, trainer, "model_rolled_back", detail, now)
    return back_to(
        request, PREFIX, f"Le modèle {back} est de nouveau en service\u00a0: {PULLED}", "success"
    )
