"""An inbox message as the workbench reads it from one user event: its text and Rasa's
parse data only (never the event's metadata), named by a key that says nothing of the sender."""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from api.training.inbox_context import Question

FALLBACK_INTENT = "nlu_fallback"


@dataclass(frozen=True)
class PredictedEntity:
    entity: str
    value: str
    start: int
    end: int


@dataclass(frozen=True)
class InboxMessage:
    key: str
    text: str
    intent: str
    confidence: float
    entities: list[PredictedEntity]
    ranking: list[tuple[str, float]]
    at: datetime
    # The row's id in its table: where the message's page and its conversation are found.
    row_id: int = 0
    # The form question the assistant had just asked (its response's name), if any.
    question: Question | None = None

    @property
    def is_fallback(self) -> bool:
        return self.intent == FALLBACK_INTENT

    @property
    def answers_question(self) -> bool:
        return self.question is not None

    @property
    def misunderstood(self) -> bool:
        """A fallback that was not the answer to the question just asked."""
        return self.is_fallback and self.question is None

    @property
    def ref(self) -> str:
        """The message's address: its key, and its row to find it at once."""
        return f"{self.key}-{self.row_id}" if self.row_id else self.key


def message_key(sender_id: str, timestamp: float, text: str) -> str:
    """Stable across reads, and says nothing of the sender."""
    raw = f"{sender_id}\x1f{timestamp!r}\x1f{text}".encode()
    return hashlib.sha256(raw).hexdigest()[:40]


def event_data(raw: Any) -> dict[str, Any]:
    """An event's data: text in Rasa's table, already decoded from our JSON column."""
    try:
        data = raw if isinstance(raw, dict) else json.loads(raw)
    except (TypeError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _entities(parse: dict[str, Any]) -> list[PredictedEntity]:
    return [
        PredictedEntity(
            entity=str(e.get("entity", "")),
            value=str(e.get("value", "")),
            start=int(e.get("start", 0)),
            end=int(e.get("end", 0)),
        )
        for e in parse.get("entities") or []
        if isinstance(e, dict)
        and isinstance(e.get("start"), int)
        and isinstance(e.get("end"), int)
        and e["end"] > e["start"]
    ]


def parse_row(row: Any) -> InboxMessage | None:
    """A user event as an inbox message; None for a button payload or an empty text."""
    data = event_data(row.data)
    text = data.get("text")
    if not isinstance(text, str) or not text.strip() or text.startswith("/"):
        return None
    parse = data.get("parse_data")
    parse = parse if isinstance(parse, dict) else {}
    intent = parse.get("intent") or {}
    ranking = [
        (str(r.get("name")), float(r.get("confidence") or 0.0))
        for r in parse.get("intent_ranking") or []
        if isinstance(r, dict)
    ]
    return InboxMessage(
        key=message_key(row.sender_id, row.timestamp, text),
        text=text,
        intent=str(intent.get("name") or row.intent_name or FALLBACK_INTENT),
        confidence=float(intent.get("confidence") or 0.0),
        entities=_entities(parse),
        ranking=ranking[:5],
        at=datetime.fromtimestamp(row.timestamp, UTC),
        row_id=int(row.id),
    )
