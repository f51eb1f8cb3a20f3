"""The workbench's pages about models: the overview, a training run, a model, the audit log
(the training data's pages: example_pages.py)."""

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from markupsafe import Markup
from starlette.responses import FileResponse, JSONResponse, Response

from api.accounts import staff
from api.accounts.deps import SettingsDep
from api.core.db import SessionDep, utcnow
from api.core.errors import NotFound
from api.training import audit, service, trained_models
from api.training.models import ACTIVE_RUN_STATES, TrainingModel, TrainingRun
from api.web.trainer.loaders import ModelDep, RunDep
from api.web.trainer.replicas import serving_context
from api.web.trainer.ui import (
    MODEL_STATUS_LABELS,
    PREFIX,
    RUN_STATE_LABELS,
    TrainerPageDep,
    model_url,
    page,
)

router = APIRouter(prefix=PREFIX)

LOG_TAIL_CHARS = 4000


@router.get("")
def home(
    request: Request, session: SessionDep, settings: SettingsDep, trainer: TrainerPageDep
) -> Response:
    models = trained_models.list_models(session=session)
    runs = service.recent_runs(session=session)
    names = staff.names(
        session=session,
        ids=[m.trained_by_id for m in models]
        + [m.activated_by_id for m in models]
        + [r.requested_by_id for r in runs],
    )
    active = next((m for m in models if m.status == "active"), None)
    context = {
        "active": "home",
        "models": models,
        "runs": runs,
        "current": next((r for r in runs if r.state in ACTIVE_RUN_STATES), None),
        "active_model": active,
        "names": names,
        **serving_context(session=session, settings=settings, now=utcnow()),
    }
    return page(request, "trainer/home.html", context)


def _log_tail(path: str | None) -> str:
    if not path or not Path(path).is_file():
        return ""
    with open(path, "rb") as log:
        log.seek(0, 2)
        size = log.tell()
        log.seek(max(0, size - LOG_TAIL_CHARS))
        return log.read().decode("utf-8", errors="replace")


def run_status(run: TrainingRun, model: TrainingModel | None) -> dict[str, Any]:
    return {
        "state": run.state.value,
        "label": RUN_STATE_LABELS[run.state],
        "phase": run.phase,
        "progress": run.progress,
        "finished": run.state not in ACTIVE_RUN_STATES,
        "model_url": model_url(model.version) if model else None,
        "error": run.error,
    }


@router.get("/entrainements/{run_id}")
def run_page(
    request: Request, session: SessionDep, trainer: TrainerPageDep, run: RunDep
) -> Response:
    model = trained_models.get_model(session=session, version=run.version)
    context = {
        "active": "home",
        "run": run,
        "model": model,
        "status": run_status(run, model),
        "log_tail": _log_tail(run.log_path),
        "requested_by": staff.names(session=session, ids=[run.requested_by_id]).get(
            run.requested_by_id, "—"
        ),
    }
    return page(request, "trainer/run.html", context)


@router.get("/entrainements/{run_id}/etat")
def run_state(session: SessionDep, trainer: TrainerPageDep, run: RunDep) -> JSONResponse:
    model = trained_models.get_model(session=session, version=run.version)
    return JSONResponse(run_status(run, model), headers={"Cache-Control": "no-store"})


@router.get("/entrainements/{run_id}/journal")
def run_log(trainer: TrainerPageDep, run: RunDep) -> Response:
    if not run.log_path or not Path(run.log_path).is_file():
        raise NotFound("Le journal de cet entraînement n'existe pas encore.")
    return FileResponse(
        run.log_path,
        media_type="text/plain; charset=utf-8",
        headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"},
    )


@router.get("/modeles/{version}")
def model_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    trainer: TrainerPageDep,
    model: ModelDep,
) -> Response:
    evaluation = model.evaluation or {}
    names = staff.names(session=session, ids=[model.trained_by_id, model.activated_by_id])
    matrix = evaluation.get("matrix") or {"labels": [], "rows": []}
    context = {
        "active": "home",
        "model": model,
        "status_label": MODEL_STATUS_LABELS[model.status],
        "evaluation": evaluation,
        "matrix": matrix,
        # The confusion matrix's table: a column per predicted intent, a row per expected one.
        "matrix_columns": [
            "Attendue \\ prédite",
            *(Markup("<code>{}</code>").format(label) for label in matrix["labels"]),
        ],
        "matrix_rows": list(zip(matrix["labels"], matrix["rows"], strict=False)),
        "has_picture": bool(evaluation.get("matrix_png")),
        "names": names,
        "pull": settings.model_distribution == "pull",
    }
    return page(request, "trainer/model.html", context)


@router.get("/modeles/{version}/matrice.png")
def model_matrix(trainer: TrainerPageDep, model: ModelDep) -> Response:
    picture = (model.evaluation or {}).get("matrix_png")
    if not picture or not Path(picture).is_file():
        raise NotFound("La matrice de confusion de ce modèle n'existe pas.")
    return FileResponse(picture, media_type="image/png", headers={"Cache-Control": "no-store"})


@router.get("/journal")
def audit_log(request: Request, session: SessionDep, trainer: TrainerPageDep) -> Response:
    events = audit.recent_events(session=session)
    context = {
        "active": "audit",
        "events": events,
        "names": staff.names(session=session, ids=[e.actor_id for e in events]),
    }
    return page(request, "trainer/audit.html", context)
