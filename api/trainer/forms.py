"""What the workbench's forms carry, read the same way by the preview (GET) and the save (POST)."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from api.training.inbox import InboxFilters, InboxMessage
from api.training.nlu_files import Entity, NluError, entities_of, plain_text

ENTITY_ROWS = 3
CONFIDENCE_CHOICES = ("", "30", "50", "70", "90")


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

    def query(self) -> dict[str, str]:
        values = {"intent": self.intent}
        for index, row in enumerate(self.rows):
            values[f"entity_{index}"] = row.entity
            values[f"value_{index}"] = row.value
        return values


def read_annotation(values: Mapping[str, str]) -> Annotation:
    rows = [
        EntityRow(
            entity=values.get(f"entity_{i}", "").strip(),
            value=values.get(f"value_{i}", "").strip(),
        )
        for i in range(ENTITY_ROWS)
    ]
    return Annotation(intent=values.get("intent", "").strip(), rows=rows)


def suggested_annotation(message: InboxMessage, intents: list[str]) -> Annotation:
    """The prediction as a starting point (the best real intent when Rasa fell back)."""
    intent = message.intent
    if intent not in intents:
        intent = next((name for name, _ in message.ranking if name in intents), "")
    rows = [
        EntityRow(entity.entity, message.text[entity.start : entity.end])
        for entity in message.entities[:ENTITY_ROWS]
    ]
    rows += [EntityRow("", "")] * (ENTITY_ROWS - len(rows))
    return Annotation(intent=intent, rows=rows)


def example_parts(typed: str) -> tuple[str, list[Entity]]:
    """An example typed with Rasa's markup: its plain text and entity spans."""
    return plain_text(typed.strip()), entities_of(typed.strip())


@dataclass(frozen=True)
class InboxQuery:
    filters: InboxFilters
    values: dict[str, str]
    errors: dict[str, str]


def _day(values: Mapping[str, str], name: str, errors: dict[str, str]) -> date | None:
    raw = values.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[name] = "Saisissez une date au format jj/mm/aaaa."
        return None


def read_inbox_query(values: Mapping[str, str], intents: list[str]) -> InboxQuery:
    errors: dict[str, str] = {}
    intent = values.get("intent", "").strip()
    if intent and intent not in intents:
        errors["intent"] = "Cette intention n'existe pas."
        intent = ""
    confidence = values.get("confidence", "").strip()
    if confidence not in CONFIDENCE_CHOICES:
        errors["confidence"] = "Choisissez un seuil dans la liste."
        confidence = ""
    since = _day(values, "since", errors)
    until = _day(values, "until", errors)
    if since and until and since > until:
        errors["until"] = "La date de fin précède la date de début."
        until = None
    return InboxQuery(
        filters=InboxFilters(
            intent=intent or None,
            since=since,
            until=until,
            max_confidence=int(confidence) / 100 if confidence else None,
        ),
        values={
            "intent": intent,
            "confidence": confidence,
            "since": since.isoformat() if since else "",
            "until": until.isoformat() if until else "",
        },
        errors=errors,
    )
