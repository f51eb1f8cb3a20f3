"""What trainers change: examples, inbox decisions, trainings (the model in service: see
model_actions.py).

Each is a POST with the CSRF token, then a redirect (Post/Redirect/Get); each change is one
`training_event` row (who, when, what). Refusals write nothing and say why.
"""

from collections.abc import Callable
from typing import Annotated, TypeVar
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse

from api.accounts.deps import SettingsDep
from api.core.config import Settings
from api.core.db import SessionDep, begin_write, utcnow
from api.trainer.forms import read_annotation
from api.trainer.pages import (
    example_change,
    inbox_message,
    known_intent,
    load_nlu,
    message_change,
)
from api.trainer.ui import INBOX, PREFIX, TrainerPageDep, intent_url, message_url, run_url
from api.training import editing, service
from api.training.models import Outcome
from api.training.nlu_files import Change, NluError
from api.training.rasa_cli import RasaUnavailable
from api.web import sessions
from api.web.deps import CsrfDep

router = APIRouter(prefix=PREFIX, dependencies=[CsrfDep])

FormText = Annotated[str, Form()]
T = TypeVar("T")


def _unlocked(session: Session, work: Callable[[], T]) -> T:
    """Slow work (Rasa validating or loading a model) without holding the database's write
    lock, which SQLite gives a POST from its start; nothing was written before this point."""
    session.commit()
    try:
        return work()
    finally:
        begin_write(session)


def _back(request: Request, url: str, message: str, level: sessions.Level) -> RedirectResponse:
    sessions.flash(request, message, level)
    return RedirectResponse(url, status_code=303)


def _write(settings: Settings, change: Change, base: str) -> str | None:
    """Save a change; the trainer's message if it was refused (then nothing was written)."""
    try:
        editing.save(settings, change, seen_digest=base)
    except NluError as error:
        return error.message
    except editing.ValidationFailed as error:
        return "Rasa refuse les données modifiées, rien n'a été écrit : " + " ; ".join(
            error.problems[:3]
        )
    except RasaUnavailable as error:
        return str(error)
    return None


@router.post("/messages/{key}/enregistrer")
def save_message(
    key: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    trainer: TrainerPageDep,
    intent: FormText = "",
    entity_0: FormText = "",
    value_0: FormText = "",
    entity_1: FormText = "",
    value_1: FormText = "",
    entity_2: FormText = "",
    value_2: FormText = "",
    base: FormText = "",
) -> RedirectResponse:
    nlu = load_nlu(settings)
    message = inbox_message(settings, session, nlu, key)
    annotation = read_annotation(
        {
            "intent": intent,
            "entity_0": entity_0,
            "value_0": value_0,
            "entity_1": entity_1,
            "value_1": value_1,
            "entity_2": entity_2,
            "value_2": value_2,
        }
    )
    preview_url = f"{message_url(key)}/apercu?{urlencode(annotation.query())}"
    try:
        change = message_change(nlu, message, annotation)
    except NluError as error:
        return _back(request, message_url(key), error.message, "error")
    refused = _unlocked(session, lambda: _write(settings, change, base))
    if refused:
        return _back(request, preview_url, refused, "error")
    now = utcnow()
    outcome = Outcome.CONFIRMED if annotation.intent == message.intent else Outcome.RELABELLED
    try:
        service.decide(
            session=session,
            message_key=key,
            outcome=outcome,
            intent=annotation.intent,
            actor_id=trainer.id,
            now=now,
        )
    except service.TrainingConflict as error:  # another trainer, at the same moment
        return _back(request, INBOX, error.message, "error")
    service.record(
        session=session, actor_id=trainer.id, action="example_added", detail=change.summary, now=now
    )
    return _back(
        request,
        INBOX,
        f"Exemple enregistré dans {change.path} pour « {annotation.intent} » : il servira au "
        "prochain entraînement.",
        "success",
    )


@router.post("/messages/{key}/ecarter")
def discard_message(
    key: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    trainer: TrainerPageDep,
) -> RedirectResponse:
    nlu = load_nlu(settings)
    message = inbox_message(settings, session, nlu, key)
    now = utcnow()
    try:
        service.decide(
            session=session,
            message_key=key,
            outcome=Outcome.DISCARDED,
            intent=None,
            actor_id=trainer.id,
            now=now,
        )
    except service.TrainingConflict as error:
        return _back(request, INBOX, error.message, "error")
    service.record(
        session=session,
        actor_id=trainer.id,
        action="message_discarded",
        detail=f"Message écarté : {message.text}",
        now=now,
    )
    return _back(request, INBOX, "Message écarté : il ne sera plus proposé.", "success")


@router.post("/intentions/{intent}/enregistrer")
def save_example(
    intent: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    trainer: TrainerPageDep,
    text: FormText = "",
    old: FormText = "",
    base: FormText = "",
) -> RedirectResponse:
    nlu = load_nlu(settings)
    known_intent(nlu, intent)
    preview_url = f"{intent_url(intent)}/apercu?{urlencode({'text': text, 'old': old})}"
    try:
        change = example_change(nlu, intent, text, old)
    except NluError as error:
        return _back(request, intent_url(intent), error.message, "error")
    refused = _unlocked(session, lambda: _write(settings, change, base))
    if refused:
        return _back(request, preview_url, refused, "error")
    service.record(
        session=session,
        actor_id=trainer.id,
        action="example_changed" if old else "example_added",
        detail=change.summary,
        now=utcnow(),
    )
    done = "Exemple modifié." if old else "Exemple ajouté."
    return _back(
        request, intent_url(intent), f"{done} Il servira au prochain entraînement.", "success"
    )


@router.post("/entrainements")
def start_training(
    request: Request, session: SessionDep, trainer: TrainerPageDep
) -> RedirectResponse:
    now = utcnow()
    try:
        run = service.queue_run(session=session, actor_id=trainer.id, now=now)
    except service.TrainingConflict as error:
        return _back(request, PREFIX, error.message, "error")
    service.record(
        session=session,
        actor_id=trainer.id,
        action="training_requested",
        detail=f"Entraînement du modèle {run.version} demandé.",
        now=now,
    )
    return _back(
        request,
        run_url(run.id),
        "Entraînement demandé : il se déroule en arrière-plan, vous pouvez quitter cette page.",
        "success",
    )
