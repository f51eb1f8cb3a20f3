"""A Rasa event as we store it: its idempotency key, its columns, and the data we keep of it.

Rasa's tracker store publishes `{"sender_id": <conversation>, **event.as_dict()}` to the broker
and then stores `json.dumps(event.as_dict())` in its `events` table. The key is computed from
the conversation and the canonical JSON of the event without `sender_id`, so a broker message,
its redelivery and the tracker store's row of the same event all have the same key.
"""

import hashlib
import json
import math
import re
from dataclasses import dataclass
from typing import Any

COLUMN_LENGTH = 255
# Event metadata kept: which model answered. The rest (the channel's auth block, a response's
# parameters such as a report's reference) is never stored.
KEPT_METADATA = ("model_id", "assistant_id")
# Slots whose value is kept: where the form is, nothing the person typed.
KEPT_SLOT_VALUES = frozenset({"requested_slot"})
# Plain fields of the other event types (action, active_loop, loop_interrupted…).
KEPT_FIELDS = ("name", "policy", "confidence", "is_interrupted", "use_text_for_featurization")
RANKING_LENGTH = 10
TOKEN_MASK = "[jeton masqué]"  # noqa: S105 - what replaces a token, not one
# A JWT, a bearer header, or a long unbroken run of letters and digits (a key, a hash).
TOKEN_PATTERN = re.compile(
    r"eyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]*|\bBearer\s+[\w.~+/=-]{8,}|[A-Za-z0-9_-]{32,}"
)


class MalformedEvent(ValueError):
    """Not a Rasa event we can store; `reason` is a short code (never the message's content)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class EventRecord:
    """One row of `conversation_event`, ready to insert."""

    event_key: str
    sender_id: str
    type_name: str
    timestamp: float
    intent_name: str | None
    action_name: str | None
    confidence: float | None
    data: dict[str, Any]

    def values(self) -> dict[str, Any]:
        return {
            "event_key": self.event_key,
            "sender_id": self.sender_id,
            "type_name": self.type_name,
            "timestamp": self.timestamp,
            "intent_name": self.intent_name,
            "action_name": self.action_name,
            "confidence": self.confidence,
            "data": self.data,
        }


def event_key(sender_id: str, event: dict[str, Any]) -> str:
    """sha256 of the conversation and the event's canonical JSON (sorted keys, ASCII)."""
    canonical = json.dumps(
        [sender_id, event], sort_keys=True, separators=(",", ":"), ensure_ascii=True
    )
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def from_broker_body(body: bytes) -> EventRecord:
    """A message of Rasa's Pika broker; MalformedEvent if it is not one."""
    try:
        message = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise MalformedEvent("not-json") from None
    if not isinstance(message, dict):
        raise MalformedEvent("not-an-object")
    event = dict(message)
    sender_id = event.pop("sender_id", None)
    return build_record(sender_id, event)


def from_tracker_row(sender_id: Any, data: Any) -> EventRecord:
    """A row of Rasa's SQL tracker store (`events.sender_id`, `events.data`)."""
    try:
        event = json.loads(data)
    except (TypeError, ValueError):
        raise MalformedEvent("not-json") from None
    if not isinstance(event, dict):
        raise MalformedEvent("not-an-object")
    return build_record(sender_id, event)


def _name(value: Any, reason: str, *, required: bool = False) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value or len(value) > COLUMN_LENGTH or "\x00" in value:
        raise MalformedEvent(reason)
    return value


def build_record(sender_id: Any, event: dict[str, Any]) -> EventRecord:
    try:  # a lone surrogate (from a "\ud800" escape) cannot be stored as UTF-8
        json.dumps([sender_id, event], ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise MalformedEvent("bad-unicode") from None
    sender = _name(sender_id, "bad-sender-id", required=True)
    type_name = _name(event.get("event"), "bad-event-type", required=True)
    assert sender is not None and type_name is not None
    timestamp = event.get("timestamp")
    if isinstance(timestamp, bool) or not isinstance(timestamp, int | float):
        raise MalformedEvent("bad-timestamp")
    if not math.isfinite(timestamp):
        raise MalformedEvent("bad-timestamp")
    data = kept_data(type_name, event)
    parse = data.get("parse_data", {})
    intent = parse.get("intent", {})
    # As Rasa's tracker store fills its own columns (a bot event's response name added).
    action = event.get("name")
    if type_name == "bot":
        action = data.get("metadata", {}).get("utter_action")
    return EventRecord(
        event_key=event_key(sender, event),
        sender_id=sender,
        type_name=type_name,
        timestamp=float(timestamp),
        intent_name=_name(intent.get("name"), "bad-intent"),
        action_name=_name(action if isinstance(action, str) else None, "bad-name"),
        confidence=intent.get("confidence"),
        data=data,
    )


def _masked(match: re.Match[str]) -> str:
    found = match.group()
    if found.startswith(("eyJ", "Bearer")):
        return TOKEN_MASK
    # A long run of letters only is a word (or a typo), not a key.
    return TOKEN_MASK if any(c.isdigit() for c in found) else found


def mask_tokens(text: str) -> str:
    """Anything in typed text that looks like a token becomes « [jeton masqué] »."""
    return TOKEN_PATTERN.sub(_masked, text)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def _metadata(event: dict[str, Any], *extra: str) -> dict[str, str]:
    metadata = event.get("metadata")
    if not isinstance(metadata, dict):
        return {}
    return {k: v for k in (*KEPT_METADATA, *extra) if isinstance(v := metadata.get(k), str)}


def _parse_data(parse: Any) -> dict[str, Any]:
    parse = parse if isinstance(parse, dict) else {}
    intent = parse.get("intent") if isinstance(parse.get("intent"), dict) else {}
    kept: dict[str, Any] = {
        "intent": {
            "name": intent.get("name") if isinstance(intent.get("name"), str) else None,
            "confidence": _number(intent.get("confidence")),
        },
        "entities": [
            {
                "entity": str(e.get("entity", "")),
                "value": mask_tokens(str(e.get("value", ""))),
                "start": e["start"],
                "end": e.get("end", 0) if isinstance(e.get("end"), int) else 0,
            }
            for e in parse.get("entities") or []
            if isinstance(e, dict) and isinstance(e.get("start"), int)
        ],
        "intent_ranking": [
            {"name": str(r.get("name")), "confidence": _number(r.get("confidence"))}
            for r in (parse.get("intent_ranking") or [])[:RANKING_LENGTH]
            if isinstance(r, dict)
        ],
    }
    return kept


def kept_data(type_name: str, event: dict[str, Any]) -> dict[str, Any]:
    """The part of an event the analytics and the inbox read; nothing else is stored."""
    data: dict[str, Any] = {"event": type_name, "timestamp": event.get("timestamp")}
    if type_name == "user":
        text = event.get("text")
        data["text"] = mask_tokens(text) if isinstance(text, str) else None
        data["parse_data"] = _parse_data(event.get("parse_data"))
        if isinstance(event.get("input_channel"), str):
            data["input_channel"] = event["input_channel"]
    elif type_name == "bot":
        pass  # the assistant's words may repeat what the person typed: only the response name
    elif type_name == "slot":
        data["name"] = event.get("name")
        if event.get("name") in KEPT_SLOT_VALUES and isinstance(event.get("value"), str | None):
            data["value"] = event.get("value")
    else:
        data.update(
            {
                k: event[k]
                for k in KEPT_FIELDS
                if isinstance(event.get(k), str | int | float | bool | None) and k in event
            }
        )
    metadata = _metadata(event, "utter_action") if type_name == "bot" else _metadata(event)
    if metadata:
        data["metadata"] = metadata
    return data
