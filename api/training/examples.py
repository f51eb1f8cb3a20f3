"""Adding or changing an example of an intent, as a trainer types it on the intent's page
(Rasa's markup for the entities); the use case logs the change it saved."""

from sqlalchemy.orm import Session

from api.core.config import Settings
from api.core.db import utcnow
from api.training import audit, editing
from api.training.nlu_files import Change, NluData
from api.training.rasa_yaml import entities_of, plain_text


def plan(nlu: NluData, intent: str, typed: str, old: str) -> Change:
    """The change that saving `typed` makes: a new example, or `old` replaced (nothing
    written); NluError when it cannot be saved."""
    text, entities = plain_text(typed.strip()), entities_of(typed.strip())
    if old:
        return nlu.plan_edit(intent=intent, old=old, text=text, entities=entities)
    return nlu.plan_add(intent=intent, text=text, entities=entities)


def save(
    *,
    session: Session,
    settings: Settings,
    nlu: NluData,
    intent: str,
    typed: str,
    old: str,
    seen_digest: str,
    actor_id: int,
) -> Change:
    """Write the example (if the file is still the one the trainer previewed and Rasa accepts
    the result) and log it. NluError: the example itself; editing's refusals: the write."""
    change = plan(nlu, intent, typed, old)
    editing.save_unlocked(session, settings, change, seen_digest=seen_digest)
    action = "example_changed" if old else "example_added"
    audit.record(
        session=session, actor_id=actor_id, action=action, detail=change.summary, now=utcnow()
    )
    return change
