"""What trainers change in the training data and the runs: an annotated message saved, a message
discarded, an example saved, a training asked for (the model in service: model_submissions.py).

Each is a POST with the CSRF token, then a redirect (Post/Redirect/Get). The use cases live in
api/training/ and log their own `training_event`; a refusal writes nothing and says why.
"""

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse

from api.accounts.deps import SettingsDep
from api.core.db import SessionDep
from api.training import annotation, examples, service
from api.web.deps import CsrfDep
from api.web.outcomes import posted
from api.web.trainer.forms import FormText, PostedAnnotationDep, annotation_fields
from api.web.trainer.loaders import InboxMessageDep, IntentDep, NluDep
from api.web.trainer.posting import Done, save_refused_to, submitted
from api.web.trainer.ui import INBOX, PREFIX, TrainerPageDep, intent_url, message_url, run_url

router = APIRouter(prefix=PREFIX, dependencies=[CsrfDep])

NEXT_TRAINING = "il servira au prochain entraînement."
TRAINING_ASKED = (
    "Entraînement demandé : il se déroule en arrière-plan, vous pouvez quitter cette page."
)


@router.post("/messages/{key}/enregistrer")
def save_message(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    trainer: TrainerPageDep,
    nlu: NluDep,
    message: InboxMessageDep,
    annotated: PostedAnnotationDep,
    base: FormText = "",
) -> RedirectResponse:
    def annotate() -> Done:
        change = annotation.annotate(
            session=session,
            settings=settings,
            nlu=nlu,
            message=message,
            annotation=annotated,
            seen_digest=base,
            actor_id=trainer.id,
        )
        saved = f"Exemple enregistré dans {change.path} pour « {annotated.intent} »"
        return Done(f"{saved} : {NEXT_TRAINING}", INBOX)

    address = message_url(request.path_params["key"])  # as the trainer reached the message
    preview = f"{address}/apercu?{urlencode(annotation_fields(annotated))}"
    return submitted(request, session, annotate, save_refused_to(address, preview))


@router.post("/messages/{key}/ecarter")
def discard_message(
    request: Request, session: SessionDep, trainer: TrainerPageDep, message: InboxMessageDep
) -> RedirectResponse:
    def discard() -> str:
        annotation.discard(session=session, message=message, actor_id=trainer.id)
        return "Message écarté : il ne sera plus proposé."

    return posted(request, session, discard, INBOX)


@router.post("/intentions/{intent}/enregistrer")
def save_example(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    trainer: TrainerPageDep,
    nlu: NluDep,
    intent: IntentDep,
    text: FormText = "",
    old: FormText = "",
    base: FormText = "",
) -> RedirectResponse:
    def save() -> Done:
        examples.save(
            session=session,
            settings=settings,
            nlu=nlu,
            intent=intent,
            typed=text,
            old=old,
            seen_digest=base,
            actor_id=trainer.id,
        )
        done = "Exemple modifié." if old else "Exemple ajouté."
        return Done(f"{done} Il servira au prochain entraînement.", intent_url(intent))

    preview = f"{intent_url(intent)}/apercu?{urlencode({'text': text, 'old': old})}"
    return submitted(request, session, save, save_refused_to(intent_url(intent), preview))


@router.post("/entrainements")
def start_training(
    request: Request, session: SessionDep, trainer: TrainerPageDep
) -> RedirectResponse:
    def request_training() -> Done:
        run = service.request_training(session=session, actor_id=trainer.id)
        return Done(TRAINING_ASKED, run_url(run.id))

    return submitted(request, session, request_training, PREFIX)
