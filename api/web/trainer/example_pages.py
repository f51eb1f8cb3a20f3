"""The workbench's pages about the training data: the inbox of messages to review, a message
to annotate, the intents and their examples, and the preview of a change before its save."""

from fastapi import APIRouter, Request
from starlette.responses import Response

from api.accounts.deps import SettingsDep
from api.core.config import Settings
from api.core.db import SessionDep
from api.training import annotation, decisions, editing, examples
from api.training.annotation import Annotation
from api.training.inbox import InboxMessage, TrackerStoreUnavailable, inbox_source
from api.training.inbox_context import Surroundings
from api.training.nlu_files import Change, NluData, NluError
from api.web.trainer import inbox_listing
from api.web.trainer.forms import (
    CONFIDENCE_CHOICES,
    ENTITY_ROWS,
    annotation_fields,
    read_annotation,
    read_inbox_query,
    suggested_annotation,
)
from api.web.trainer.loaders import InboxMessageDep, IntentDep, NluDep, SurroundingsDep
from api.web.trainer.ui import PREFIX, TrainerPageDep, intent_options, intent_url, message_url, page

router = APIRouter(prefix=PREFIX)


@router.get("/messages")
def inbox(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    trainer: TrainerPageDep,
    nlu: NluDep,
) -> Response:
    choices = [*nlu.intents, "nlu_fallback"]
    query = read_inbox_query(request.query_params, choices)
    error = None
    listing = inbox_listing.Listing()
    try:
        with inbox_source(settings=settings, session=session) as source:
            listing = inbox_listing.read(
                source=source,
                query=query,
                after=request.query_params.get("apres", ""),
                settings=settings,
                nlu=nlu,
                handled=decisions.handled_keys(session=session),
            )
    except TrackerStoreUnavailable as unavailable:  # the page still shows, with the filters
        error = unavailable.message
    context = {
        "active": "inbox",
        "inbox_messages": listing.messages,
        "groups": listing.groups,
        "questions": listing.questions,
        "next_url": listing.next_url,
        "first_url": listing.first_url,
        "query": query,
        "intent_options": intent_options(choices, ("", "Toutes")),
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
    surroundings: Surroundings,
    annotated: Annotation,
    error: str | None = None,
) -> Response:
    context = {
        "active": "inbox",
        "message": message,
        "surroundings": surroundings,
        "annotation": annotated,
        "intent_options": intent_options(nlu.intents, ("", "Choisissez une intention")),
        "entity_options": [("", "Aucune"), *[(e, e) for e in nlu.entity_names]],
        "entity_rows": ENTITY_ROWS,
        "error": error,
    }
    return page(request, "trainer/message.html", context, status_code=400 if error else 200)


@router.get("/messages/{key}")
def message_page(
    request: Request,
    trainer: TrainerPageDep,
    nlu: NluDep,
    message: InboxMessageDep,
    surroundings: SurroundingsDep,
) -> Response:
    suggested = suggested_annotation(message, nlu.intents)
    return _message_page(request, nlu, message, surroundings, suggested)


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
    """The diff of a change and what Rasa thinks of it; saving is offered only if it passes
    (RasaUnavailable: a French error page)."""
    validation = editing.check(settings, change)
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
    request: Request,
    settings: SettingsDep,
    trainer: TrainerPageDep,
    nlu: NluDep,
    message: InboxMessageDep,
    surroundings: SurroundingsDep,
) -> Response:
    annotated = read_annotation(request.query_params)
    try:
        change = annotation.plan(nlu, message, annotated)
    except NluError as error:
        return _message_page(request, nlu, message, surroundings, annotated, error.message)
    return preview(
        request,
        settings,
        change,
        title="Vérifier l'exemple avant de l'enregistrer",
        back_url=message_url(message.ref),
        save_url=f"{message_url(message.ref)}/enregistrer",
        fields=annotation_fields(annotated),
    )


@router.get("/intentions")
def intents(request: Request, trainer: TrainerPageDep, nlu: NluDep) -> Response:
    context = {"active": "intents", "counts": nlu.counts()}
    return page(request, "trainer/intents.html", context)


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
    request: Request, trainer: TrainerPageDep, nlu: NluDep, intent: IntentDep
) -> Response:
    editing_text = request.query_params.get("modifier", "")
    if editing_text and not any(e.text == editing_text for e in nlu.of_intent(intent)):
        editing_text = ""
    return _intent_page(request, nlu, intent, typed=editing_text, old=editing_text)


@router.get("/intentions/{intent}/apercu")
def example_preview(
    request: Request,
    settings: SettingsDep,
    trainer: TrainerPageDep,
    nlu: NluDep,
    intent: IntentDep,
) -> Response:
    typed = request.query_params.get("text", "")
    old = request.query_params.get("old", "")
    try:
        change = examples.plan(nlu, intent, typed, old)
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
