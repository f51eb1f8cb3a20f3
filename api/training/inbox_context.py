"""What surrounds an inbox message in its conversation: the question the assistant had just
asked (a form's `utter_ask_<slot>`, or the `requested_slot` it set), and what came after.

An answer to the question asked is not a misunderstanding, whatever the intent's confidence:
« Dr Martin » after « Quel professionnel ? » is what the form wanted. Both sources name a bot
event's response: `conversation_event.action_name`, or `metadata.utter_action` in Rasa's row.
"""

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Table, select
from sqlalchemy.exc import SQLAlchemyError
from yaml import safe_load

ASK_PREFIX = "utter_ask_"
REQUESTED_SLOT = "requested_slot"
# Events looked at on each side of a message.
LOOK_BEHIND = 8
LOOK_AHEAD = 12


@dataclass(frozen=True)
class Question:
    """The response the assistant had just sent (`utter_ask_provider`) and its text if stored."""

    response: str
    text: str | None = None


@dataclass(frozen=True)
class Turn:
    speaker: str  # "assistant" or "user"
    text: str


@dataclass(frozen=True)
class Surroundings:
    before: list[Turn]
    after: list[Turn]


def _data(raw: Any) -> dict[str, Any]:
    try:
        data = raw if isinstance(raw, dict) else json.loads(raw)
    except (TypeError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def response_of(row: Any) -> str | None:
    """The response a bot event sent, from either source."""
    if row.action_name and str(row.action_name).startswith("utter_"):
        return str(row.action_name)
    metadata = _data(row.data).get("metadata")
    name = metadata.get("utter_action") if isinstance(metadata, dict) else None
    return name if isinstance(name, str) else None


def _columns(table: Table) -> Any:
    c = table.c
    return select(c.id, c.type_name, c.timestamp, c.action_name, c.data)


def question_before(table: Table, row: Any, connection: Connection) -> Question | None:
    """The form question asked since the conversation's previous user message, if any."""
    c = table.c
    earlier = (
        _columns(table)
        .where(c.sender_id == row.sender_id, c.timestamp <= row.timestamp, c.id != row.id)
        .order_by(c.timestamp.desc(), c.id.desc())
        .limit(LOOK_BEHIND)
    )
    for event in connection.execute(earlier):
        if event.type_name == "user":
            return None
        if event.type_name == "bot":
            name = response_of(event)
            if name and name.startswith(ASK_PREFIX):
                text = _data(event.data).get("text")
                return Question(name, text if isinstance(text, str) and text else None)
        if event.type_name == "slot" and event.action_name == REQUESTED_SLOT:
            value = _data(event.data).get("value")
            return Question(f"{ASK_PREFIX}{value}") if isinstance(value, str) else None
    return None


@lru_cache(maxsize=4)
def _responses(path: Path, mtime: float) -> dict[str, str]:
    domain = safe_load(path.read_text(encoding="utf-8")) or {}
    found: dict[str, str] = {}
    for name, variants in (domain.get("responses") or {}).items():
        first = variants[0] if isinstance(variants, list) and variants else {}
        if isinstance(first, dict) and isinstance(first.get("text"), str):
            found[str(name)] = first["text"]
    return found


def response_text(assistant_dir: Path, name: str) -> str:
    """The domain's first wording of a response (the name itself when it has none)."""
    path = assistant_dir / "domain.yml"
    try:
        responses = _responses(path, path.stat().st_mtime)
    except (OSError, ValueError):
        return name
    return responses.get(name, name)


def question_text(assistant_dir: Path, question: Question) -> str:
    return question.text or response_text(assistant_dir, question.response)


def _turn(event: Any, assistant_dir: Path) -> Turn | None:
    data = _data(event.data)
    text = data.get("text")
    if event.type_name == "user":
        if isinstance(text, str) and text.strip() and not text.startswith("/"):
            return Turn("user", text)
        return Turn("user", "(bouton)")
    if event.type_name == "bot":
        if isinstance(text, str) and text.strip():
            return Turn("assistant", text)
        name = response_of(event)
        return Turn("assistant", response_text(assistant_dir, name)) if name else None
    return None


def surroundings(
    table: Table, row_id: int, connection: Connection, assistant_dir: Path
) -> Surroundings:
    """The assistant's words since the previous user message, then what followed up to and
    including the next user message."""
    c = table.c
    row = connection.execute(_columns(table).add_columns(c.sender_id).where(c.id == row_id)).first()
    if row is None:
        return Surroundings([], [])
    same = _columns(table).where(c.sender_id == row.sender_id, c.id != row.id)
    earlier = same.where(c.timestamp <= row.timestamp).order_by(c.timestamp.desc(), c.id.desc())
    later = same.where(c.timestamp >= row.timestamp).order_by(c.timestamp, c.id)
    before: list[Turn] = []
    for event in connection.execute(earlier.limit(LOOK_BEHIND)):
        if event.type_name == "user":
            break
        turn = _turn(event, assistant_dir)
        if turn:
            before.insert(0, turn)
    following: list[Turn] = []
    for event in connection.execute(later.limit(LOOK_AHEAD)):
        turn = _turn(event, assistant_dir)
        if turn:
            following.append(turn)
        if event.type_name == "user":
            break
    return Surroundings(before, following)


def surroundings_of(engine: Engine, table: Table, row_id: int, assistant_dir: Path) -> Surroundings:
    """The message's surroundings; none when the store cannot be read (the page still shows)."""
    try:
        with engine.connect() as connection:
            return surroundings(table, row_id, connection, assistant_dir)
    except SQLAlchemyError:
        return Surroundings([], [])
