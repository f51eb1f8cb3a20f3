"""What the workbench's addresses name, loaded as dependencies before a handler runs: the
training data, an inbox message, an intent, a run, a model; a French 404 when it is not there.

They run after the router's access rule and CSRF check (FastAPI solves those first)."""

import re
from typing import Annotated

from fastapi import Depends

from api.accounts.deps import SettingsDep
from api.core.db import SessionDep
from api.core.errors import NotFound
from api.training import decisions, inbox_context, nlu_files, trained_models
from api.training.inbox import InboxMessage, find_message, inbox_source
from api.training.models import TrainingModel, TrainingRun
from api.training.nlu_files import NluData

# A message's key, and the row it is in (its address from the inbox).
KEY_PATTERN = re.compile(r"^[0-9a-f]{40}(-[0-9]{1,18})?$")
VERSION_PATTERN = re.compile(r"^v\d{8}-\d{6}$")


def get_nlu(settings: SettingsDep) -> NluData:
    """The training data as they are now (NluUnreadable: a French error page)."""
    return nlu_files.read(settings.assistant_dir)


NluDep = Annotated[NluData, Depends(get_nlu)]


def get_inbox_message(
    key: str, session: SessionDep, settings: SettingsDep, nlu: NluDep
) -> InboxMessage:
    """A message still waiting in the inbox (TrackerStoreUnavailable: a French error page)."""
    message = None
    if KEY_PATTERN.match(key) and not decisions.is_handled(session=session, message_key=key[:40]):
        with inbox_source(settings=settings, session=session) as source:
            message = find_message(source=source, key=key, timezone=settings.timezone, nlu=nlu)
    if message is None:
        raise NotFound("Ce message n'est plus dans la boîte de réception.")
    return message


InboxMessageDep = Annotated[InboxMessage, Depends(get_inbox_message)]


def get_surroundings(
    message: InboxMessageDep, session: SessionDep, settings: SettingsDep
) -> inbox_context.Surroundings:
    """The message's conversation around it: the assistant's question, what followed."""
    with inbox_source(settings=settings, session=session) as source:
        return inbox_context.surroundings_of(
            source.engine, source.table, message.row_id, settings.assistant_dir
        )


SurroundingsDep = Annotated[inbox_context.Surroundings, Depends(get_surroundings)]


def get_intent(intent: str, nlu: NluDep) -> str:
    """An intent of the assistant's domain."""
    if intent not in nlu.intents:
        raise NotFound("Cette intention n'existe pas dans le domaine de l'assistant.")
    return intent


IntentDep = Annotated[str, Depends(get_intent)]


def get_run(run_id: str, session: SessionDep) -> TrainingRun:
    run = session.get(TrainingRun, int(run_id)) if run_id.isdigit() and len(run_id) < 10 else None
    if run is None:
        raise NotFound("Cet entraînement est introuvable.")
    return run


RunDep = Annotated[TrainingRun, Depends(get_run)]


def get_model(version: str, session: SessionDep) -> TrainingModel:
    model = (
        trained_models.get_model(session=session, version=version)
        if VERSION_PATTERN.match(version)
        else None
    )
    if model is None:
        raise NotFound("Ce modèle est introuvable.")
    return model


ModelDep = Annotated[TrainingModel, Depends(get_model)]
