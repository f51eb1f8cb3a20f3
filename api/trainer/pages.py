"""The workbench's pages: overview, inbox, a message, intents, previews, runs, models, log."""

import re
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from ruamel.yaml.error import YAMLError
from sqlalchemy.orm import Session
from starlette.responses import FileResponse, JSONResponse, Response

from api.accounts.deps import SettingsDep
from api.agent import staff
from api.core.config import Settings
from api.core.db import SessionDep, utcnow
from api.trainer.forms import (
    CONFIDENCE_CHOICES,
    ENTITY_ROWS,
    Annotation,
    example_parts,
    read_annotation,
    read_inbox_query,
    suggested_annotation,
)
from api.trainer.replicas import serving_context
from api.trainer.ui import (
    MODEL_STATUS_LABELS,
    PREFIX,
    RUN_STATE_LABELS,
    TrainerPageDep,
    intent_url,
    message_url,
    model_url,
    page,
)
from api.training import editing, service
from api.training.inbox import (
    InboxMessage,
    TrackerStoreUnavailable,
    find_message,
    inbox_source,
    read_messages,
)
from api.training.models import ACTIVE_RUN_STATES, TrainingModel, TrainingRun
from api.training.nlu_files import Change, NluData, NluError
from api.training.rasa_cli import RasaUnavailable
from api.web.errors import PageError, PageNotFound

router = APIRouter(prefix=PREFIX)

KEY_PATTERN = re.compile(r"^[0-9a-f]{40}$")
VERSION_PATTERN = re.compile(r"^v\d{8}-\d{6}$")
TRACKER_DOWN = (
    "Les conversations de l'assistant ne peuvent pas être lues pour le moment "
    "(base des conversations indisponible)."
)
LOG_TAIL_CHARS = 4000


def load_nlu(settings: Settings) -> NluData:
    try:
        return NluData(settings.assistant_dir)
    except (OSError, YAMLError):
        raise PageError("Les données d'entraînement ne peuvent pas être lues.") from None


def inbox_message(settings: Settings, session: Session, nlu: NluData, key: str) -> InboxMessage:
    """A message still waiting in the inbox, else a French 404."""
    message = None
    if KEY_PATTERN.match(key) and not service.is_handled(session=session, message_key=key):
        try:
            with inbox_source(settings=settings, session=session) as source:
                message = find_message(source=source, key=key, timezone=settings.timezone, nlu=nlu)
        except TrackerStoreUnavailable:
            raise PageError(TRACKER_DOWN) from None
    if message is None:
        raise PageNotFound("Ce message n'est plus dans la boîte de réception.")
    return message


@router.get("")
def home(
    request: Request, session: SessionDep, settings: SettingsDep, trainer: TrainerPageDep
) -> Response:
    models = service.list_models(session=session)
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


@router.get("/messages")
def inbox(
    request: Request, session: SessionDep, settings: SettingsDep, trainer: TrainerPageDep
) -> Response:
    nlu = load_nlu(settings)
    choices = [*nlu.intents, "nlu_fallback"]
    query = read_inbox_query(request.query_params, choices)
    messages: list[InboxMessage] = []
    error = None
    try:
        with inbox_source(settings=settings, session=session) as source:
            messages = read_messages(
                source=source,
                filters=query.filters,
                timezone=settings.timezone,
                nlu=nlu,
                handled=service.handled_keys(session=session),
            ).messages
    except TrackerStoreUnavailable:
        error = TRACKER_DOWN
    context = {
        "active": "inbox",
        "inbox_messages": messages,
        "query": query,
        "intent_options": [("", "Toutes"), *[(name, name) for name in choices]],
        "confidence_options": [
            (value, f"{value} % ou moins" if value else "Toutes") for value in CONFIDENCE_CHOICES
        ],
        "error": error,
    }
    return page(request, "trainer/inbox.html", context)


def _message_page(
    request: Request,
    nlu: NluData,
    message: InboxMessage,
    annotation: Annotation,
    error: str | None = None,
) -> Response:
    context = {
        "active": "inbox",
        "message": message,
        "annotation": annotation,
        "intent_options": [("", "Choisissez une intention"), *[(i, i) for i in nlu.intents]],
        "entity_options": [("", "Aucune"), *[(e, e) for e in nlu.entity_names]],
        "entity_rows": ENTITY_ROWS,
        "error": error,
    }
    return page(request, "trainer/message.html", context, status_code=400 if error else 200)


@router.get("/messages/{key}")
def message_page(
    key: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    trainer: TrainerPageDep,
) -> Response:
    nlu = load_nlu(settings)
    message = inbox_message(settings, session, nlu, key)
    return _message_page(request, nlu, message, suggested_annotation(message, nlu.intents))


def message_change(nlu: NluData, message: InboxMessage, annotation: Annotation) -> Change:
    if not annotation.intent:
        raise NluError("Choisissez l'intention de ce message.")
    nlu.check_intent(annotation.intent)
    text = message.text.strip()
    return nlu.plan_add(intent=annotation.intent, text=text, entities=annotation.entities(text))


def preview(
    request: Request,
    settings: Settings,
    change: Change,
    *,
    title: str,
    back_url: str,
    save_url: str,
    fields: dict[str, str],
) -> Response:
    """The diff of a change and what Rasa thinks of it; saving is offered only if it passes."""
    try:
        validation = editing.check(settings, change)
    except RasaUnavailable as error:
        raise PageError(str(error)) from None
    lines = [
        (
            "added" if line.startswith("+") else "removed" if line.startswith("-") else "context",
            line,
        )
        for line in change.diff.splitlines()
    ]
    context = {
        "active": "inbox" if save_url.startswith(message_url("")) else "intents",
        "title": title,
        "change": change,
        "lines": lines,
        "problems": validation.problems,
        "back_url": back_url,
        "save_url": save_url,
        "fields": {**fields, "base": change.base_digest},
    }
    return page(request, "trainer/preview.html", context)


@router.get("/messages/{key}/apercu")
def message_preview(
    key: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    trainer: TrainerPageDep,
) -> Response:
    nlu = load_nlu(settings)
    message = inbox_message(settings, session, nlu, key)
    annotation = read_annotation(request.query_params)
    try:
        change = message_change(nlu, message, annotation)
    except NluError as error:
        return _message_page(request, nlu, message, annotation, error.message)
    return preview(
        request,
        settings,
        change,
        title="Vérifier l'exemple avant de l'enregistrer",
        back_url=message_url(key),
        save_url=f"{message_url(key)}/enregistrer",
        fields=annotation.query(),
    )


@router.get("/intentions")
def intents(request: Request, settings: SettingsDep, trainer: TrainerPageDep) -> Response:
    nlu = load_nlu(settings)
    context = {"active": "intents", "counts": nlu.counts()}
    return page(request, "trainer/intents.html", context)


def known_intent(nlu: NluData, intent: str) -> str:
    if intent not in nlu.intents:
        raise PageNotFound("Cette intention n'existe pas dans le domaine de l'assistant.")
    return intent


def _intent_page(
    request: Request,
    nlu: NluData,
    intent: str,
    *,
    error: str | None = None,
    typed: str = "",
    old: str = "",
) -> Response:
    context = {
        "active": "intents",
        "intent": intent,
        "examples": nlu.of_intent(intent),
        "entity_names": nlu.entity_names,
        "error": error,
        "typed": typed,
        "old": old,
    }
    return page(request, "trainer/intent.html", context, status_code=400 if error else 200)


@router.get("/intentions/{intent}")
def intent_page(
    intent: str, request: Request, settings: SettingsDep, trainer: TrainerPageDep
) -> Response:
    nlu = load_nlu(settings)
    known_intent(nlu, intent)
    editing_text = request.query_params.get("modifier", "")
    if editing_text and not any(e.text == editing_text for e in nlu.of_intent(intent)):
        editing_text = ""
    return _intent_page(request, nlu, intent, typed=editing_text, old=editing_text)


def example_change(nlu: NluData, intent: str, typed: str, old: str) -> Change:
    text, entities = example_parts(typed)
    if old:
        return nlu.plan_edit(intent=intent, old=old, text=text, entities=entities)
    return nlu.plan_add(intent=intent, text=text, entities=entities)


@router.get("/intentions/{intent}/apercu")
def example_preview(
    intent: str, request: Request, settings: SettingsDep, trainer: TrainerPageDep
) -> Response:
    nlu = load_nlu(settings)
    known_intent(nlu, intent)
    typed = request.query_params.get("text", "")
    old = request.query_params.get("old", "")
    try:
        change = example_change(nlu, intent, typed, old)
    except NluError as error:
        return _intent_page(request, nlu, intent, error=error.message, typed=typed, old=old)
    return preview(
        request,
        settings,
        change,
        title="Vérifier la modification avant de l'enregistrer",
        back_url=intent_url(intent),
        save_url=f"{intent_url(intent)}/enregistrer",
        fields={"text": typed, "old": old},
    )


def run_or_404(session: SessionDep, run_id: str) -> TrainingRun:
    run = session.get(TrainingRun, int(run_id)) if run_id.isdigit() and len(run_id) < 10 else None
    if run is None:
        raise PageNotFound("Cet entraînement est introuvable.")
    return run


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
    run_id: str, request: Request, session: SessionDep, trainer: TrainerPageDep
) -> Response:
    run = run_or_404(session, run_id)
    model = service.get_model(session=session, version=run.version)
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
def run_state(run_id: str, session: SessionDep, trainer: TrainerPageDep) -> JSONResponse:
    run = run_or_404(session, run_id)
    model = service.get_model(session=session, version=run.version)
    return JSONResponse(run_status(run, model), headers={"Cache-Control": "no-store"})


@router.get("/entrainements/{run_id}/journal")
def run_log(run_id: str, session: SessionDep, trainer: TrainerPageDep) -> Response:
    run = run_or_404(session, run_id)
    if not run.log_path or not Path(run.log_path).is_file():
        raise PageNotFound("Le journal de cet entraînement n'existe pas encore.")
    return FileResponse(
        run.log_path,
        media_type="text/plain; charset=utf-8",
        headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"},
    )


def model_or_404(session: SessionDep, version: str) -> TrainingModel:
    model = (
        service.get_model(session=session, version=version)
        if VERSION_PATTERN.match(version)
        else None
    )
    if model is None:
        raise PageNotFound("Ce modèle est introuvable.")
    return model


@router.get("/modeles/{version}")
def model_page(
    version: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    trainer: TrainerPageDep,
) -> Response:
    model = model_or_404(session, version)
    evaluation = model.evaluation or {}
    names = staff.names(session=session, ids=[model.trained_by_id, model.activated_by_id])
    context = {
        "active": "home",
        "model": model,
        "status_label": MODEL_STATUS_LABELS[model.status],
        "evaluation": evaluation,
        "matrix": evaluation.get("matrix") or {"labels": [], "rows": []},
        "has_picture": bool(evaluation.get("matrix_png")),
        "names": names,
        "pull": settings.model_distribution == "pull",
    }
    return page(request, "trainer/model.html", context)


@router.get("/modeles/{version}/matrice.png")
def model_matrix(version: str, session: SessionDep, trainer: TrainerPageDep) -> Response:
    model = model_or_404(session, version)
    picture = (model.evaluation or {}).get("matrix_png")
    if not picture or not Path(picture).is_file():
        raise PageNotFound("La matrice de confusion de ce modèle n'existe pas.")
    return FileResponse(picture, media_type="image/png", headers={"Cache-Control": "no-store"})


@router.get("/journal")
def audit_log(request: Request, session: SessionDep, trainer: TrainerPageDep) -> Response:
    events = service.recent_events(session=session)
    context = {
        "active": "audit",
        "events": events,
        "names": staff.names(session=session, ids=[e.actor_id for e in events]),
    }
    return page(request, "trainer/audit.html", context)
