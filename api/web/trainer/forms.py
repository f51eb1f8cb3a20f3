"""What the workbench's forms carry, read the same way by the preview (GET) and the save (POST)."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import Depends, Form

from api.training.annotation import Annotation, EntityRow
from api.training.inbox import InboxFilters, InboxMessage

ENTITY_ROWS = 3
CONFIDENCE_CHOICES = ("", "30", "50", "70", "90")
MAX_CONTAINS = 200
FormText = Annotated[str, Form()]


def annotation_fields(annotation: Annotation) -> dict[str, str]:
    """The annotation as the form's fields (the preview's address, the save's hidden fields)."""
    values = {"intent": annotation.intent}
    for index, row in enumerate(annotation.rows):
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


def posted_annotation(
    intent: FormText = "",
    entity_0: FormText = "",
    value_0: FormText = "",
    entity_1: FormText = "",
    value_1: FormText = "",
    entity_2: FormText = "",
    value_2: FormText = "",
) -> Annotation:
    """The annotation a save posts (the preview's hidden fields)."""
    return read_annotation(
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


PostedAnnotationDep = Annotated[Annotation, Depends(posted_annotation)]


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
    """The inbox's filters, its view (each message or grouped) and where its page starts."""
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
    misunderstood = values.get("misunderstood", "") == "1"
    contains = " ".join(values.get("contains", "").split())[:MAX_CONTAINS]
    return InboxQuery(
        filters=InboxFilters(
            intent=intent or None,
            since=since,
            until=until,
            max_confidence=int(confidence) / 100 if confidence else None,
            misunderstood=misunderstood,
            contains=contains or None,
        ),
        values={
            "intent": intent,
            "confidence": confidence,
            "since": since.isoformat() if since else "",
            "until": until.isoformat() if until else "",
            "misunderstood": "1" if misunderstood else "",
            "contains": contains,
            "view": "groupes" if values.get("view") == "groupes" else "",
        },
        errors=errors,
    )
