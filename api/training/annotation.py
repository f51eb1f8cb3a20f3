"""Deciding about an inbox message: saved as an example of the intent the trainer chose, or
discarded. Either way the message is decided once and leaves the inbox, and the use case logs
what it did."""

from dataclasses import dataclass

from sqlalchemy.orm import Session

from api.core.config import Settings
from api.core.db import utcnow
from api.training import audit, decisions, editing
from api.training.inbox import InboxMessage
from api.training.models import Outcome
from api.training.nlu_files import Change, NluData, NluError
from api.training.rasa_yaml import Entity


@dataclass(frozen=True)
class EntityRow:
    entity: str
    value: str


@dataclass(frozen=True)
class Annotation:
    """A trainer's reading of an inbox message: its intent and the entities in it."""

    intent: str
    rows: list[EntityRow]

    def entities(self, text: str) -> list[Entity]:
        """Spans of the marked values in the message; NluError for a value not in it."""
        found: list[Entity] = []
        for row in self.rows:
            if not row.entity and not row.value:
                continue
            if not row.entity or not row.value:
                raise NluError(
                    "Pour marquer une entité, choisissez son type et recopiez sa valeur."
                )
            start = text.find(row.value)
            if start < 0:
                raise NluError(
                    f"La valeur « {row.value} » ne figure pas dans le message : une entité doit "
                    "être une partie du texte, recopiée à l'identique."
                )
            found.append(Entity(row.entity, start, start + len(row.value)))
        return found


def plan(nlu: NluData, message: InboxMessage, annotation: Annotation) -> Change:
    """The change to the data that saving the annotation makes (nothing written); NluError when
    the annotation cannot be saved."""
    if not annotation.intent:
        raise NluError("Choisissez l'intention de ce message.")
    nlu.check_intent(annotation.intent)
    text = message.text.strip()
    return nlu.plan_add(intent=annotation.intent, text=text, entities=annotation.entities(text))


def annotate(
    *,
    session: Session,
    settings: Settings,
    nlu: NluData,
    message: InboxMessage,
    annotation: Annotation,
    seen_digest: str,
    actor_id: int,
) -> Change:
    """Save the message as an example of the chosen intent (if the file is still the one the
    trainer previewed and Rasa accepts the result), then mark it decided and log it.

    NluError: the annotation itself; editing's refusals: the write; TrainingConflict: another
    trainer decided the message meanwhile."""
    change = plan(nlu, message, annotation)
    editing.save_unlocked(session, settings, change, seen_digest=seen_digest)
    outcome = Outcome.CONFIRMED if annotation.intent == message.intent else Outcome.RELABELLED
    _decide(session, message, actor_id, outcome, annotation.intent, "example_added", change.summary)
    return change


def discard(*, session: Session, message: InboxMessage, actor_id: int) -> None:
    """The message is of no use for training: it leaves the inbox, and the log says so."""
    detail = f"Message écarté : {message.text}"
    _decide(session, message, actor_id, Outcome.DISCARDED, None, "message_discarded", detail)


def _decide(
    session: Session,
    message: InboxMessage,
    actor_id: int,
    outcome: Outcome,
    intent: str | None,
    action: str,
    detail: str,
) -> None:
    """Mark the message decided (TrainingConflict if it already was) and log it, as of now."""
    now = utcnow()
    decisions.decide(
        session=session,
        message_key=message.key,
        outcome=outcome,
        intent=intent,
        actor_id=actor_id,
        now=now,
    )
    audit.record(session=session, actor_id=actor_id, action=action, detail=detail, now=now)
