"""Putting a model in service and rolling back (api/training/activation.py), in either way
models are distributed; the use case logs who, when, and what it replaced."""

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse

from api.accounts.deps import SettingsDep
from api.core.db import SessionDep
from api.training import activation
from api.web.deps import CsrfDep
from api.web.outcomes import posted
from api.web.trainer.loaders import ModelDep
from api.web.trainer.posting import Done, submitted
from api.web.trainer.ui import PREFIX, TrainerPageDep, model_url

router = APIRouter(prefix=PREFIX, dependencies=[CsrfDep])

PULLED = "les répliques de l'assistant le chargent dans les secondes qui viennent (voir leur état)."


@router.post("/modeles/{version}/activer")
def activate(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    trainer: TrainerPageDep,
    model: ModelDep,
) -> RedirectResponse:
    back = model_url(model.version)  # read before a refusal rolls the session back

    def put_in_service() -> Done:
        activation.activate(session=session, settings=settings, model=model, actor_id=trainer.id)
        done = f"Le modèle {model.version} est en service"
        if activation.pulled(settings):  # the models page shows the replicas converging
            return Done(f"{done}\u00a0: {PULLED}", PREFIX)
        return Done(f"{done}.", back)

    return submitted(request, session, put_in_service, back)


@router.post("/modeles/retour")
def roll_back(
    request: Request, session: SessionDep, settings: SettingsDep, trainer: TrainerPageDep
) -> RedirectResponse:
    def put_back() -> str:
        back = activation.roll_back(session=session, settings=settings, actor_id=trainer.id)
        if activation.pulled(settings):
            return f"Le modèle {back} est de nouveau en service\u00a0: {PULLED}"
        return f"Le modèle {back} est de nouveau en service."

    return posted(request, session, put_back, PREFIX)
