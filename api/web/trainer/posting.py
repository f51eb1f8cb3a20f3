"""What the workbench's forms answer when success and refusal lead to different pages (a new
training's page, or the inbox, after a save from a preview): api.web.outcomes.posted still
flashes the message and rolls a refusal back; only the page to go to differs."""

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse

from api.core.errors import DomainError
from api.training.nlu_files import NluError
from api.training.service import TrainingConflict
from api.web.outcomes import posted
from api.web.trainer.ui import INBOX, PREFIX


@dataclass(frozen=True)
class Done:
    """What a use case did, for the trainer: the message, and the page to read it on."""

    message: str
    url: str


def submitted(
    request: Request,
    session: Session,
    use_case: Callable[[], Done],
    refused_to: str | Callable[[DomainError], str],
) -> RedirectResponse:
    """Run the use case, then go to its page, or to `refused_to` with the refusal (a page, or
    the page picked for that refusal)."""
    reached: list[str] = []

    def run() -> str:
        try:
            done = use_case()
        except DomainError as error:
            reached.append(refused_to if isinstance(refused_to, str) else refused_to(error))
            raise
        reached.append(done.url)
        return done.message

    answer = posted(request, session, run, refused_to if isinstance(refused_to, str) else PREFIX)
    return RedirectResponse(reached[0], status_code=303) if reached else answer


def save_refused_to(form: str, preview: str) -> Callable[[DomainError], str]:
    """Where a refused save of the training data goes: back to its form when what the trainer
    typed is refused, to the inbox when another trainer decided the message meanwhile, else
    (the write was refused) to its preview, which says why again."""

    def pick(error: DomainError) -> str:
        if isinstance(error, NluError):
            return form
        return INBOX if isinstance(error, TrainingConflict) else preview

    return pick
