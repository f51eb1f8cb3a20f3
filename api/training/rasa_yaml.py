"""Rasa's training data as YAML: examples in `examples: |` blocks as `- text` lines, entities
marked `[value](entity)`, read safely or as ruamel.yaml's round trip (comments, order and layout
kept)."""

import io
import re
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap

# Rasa's own entity markup: [text](entity), [text](entity:value) or [text]{"entity": ...}.
ENTITY_MARKUP = re.compile(
    r"\[(?P<text>[^\]]+?)\](?:\((?P<entity>[^:)]+?)(?::(?P<value>[^)]+))?\)|\{(?P<dict>[^}]+?)\})"
)
_EXAMPLE_LINE = re.compile(r"^\s*-\s?(?P<text>.*)$")


@dataclass(frozen=True)
class Entity:
    name: str
    start: int
    end: int


@dataclass(frozen=True)
class Example:
    intent: str
    text: str  # as written, markup included
    path: str  # relative to the assistant's folder

    @property
    def plain(self) -> str:
        return plain_text(self.text)


def plain_text(example: str) -> str:
    """The text a user would type: `[Dr Martin](provider) a facturé` → `Dr Martin a facturé`."""
    return ENTITY_MARKUP.sub(lambda m: m.group("text"), example)


def entities_of(example: str) -> list[Entity]:
    found: list[Entity] = []
    shift = 0
    for match in ENTITY_MARKUP.finditer(example):
        start = match.start() - shift
        found.append(Entity(match.group("entity") or "", start, start + len(match.group("text"))))
        shift += len(match.group(0)) - len(match.group("text"))
    return found


def _round_trip() -> YAML:
    handler = YAML()
    handler.preserve_quotes = True
    handler.width = 4096
    handler.indent(mapping=2, sequence=2, offset=0)
    return handler


def safe_load(text: str) -> Any:
    return YAML(typ="safe", pure=True).load(text)


def load(text: str) -> Any:
    """The file as ruamel's round trip reads it (comments and layout attached)."""
    return _round_trip().load(text)


def dump(data: Any) -> str:
    out = io.StringIO()
    _round_trip().dump(data, out)
    return out.getvalue()


def name_of(item: Any) -> str:
    """The name of a domain's intent or entity, written plain or with its options."""
    return str(next(iter(item))) if isinstance(item, dict) else str(item)


def nlu_items(data: Any) -> list[Any] | None:
    items = data.get("nlu") if isinstance(data, dict) else None
    return items if isinstance(items, list) else None


def example_of_line(raw: str) -> str | None:
    """The example a line of an `examples: |` block holds, markup included."""
    match = _EXAMPLE_LINE.match(raw)
    return match.group("text").strip() if match and raw.strip() else None


def examples_in(path: str, text: str) -> list[Example]:
    found: list[Example] = []
    for item in nlu_items(safe_load(text)) or []:
        if not isinstance(item, dict) or "intent" not in item:
            continue
        for raw in str(item.get("examples") or "").splitlines():
            example = example_of_line(raw)
            if example:
                found.append(Example(intent=str(item["intent"]), text=example, path=path))
    return found


def intent_item(data: Any, intent: str) -> Any:
    """The entry of `intent` in a round-trip `nlu:` list, None when there is none."""
    for item in data["nlu"]:
        if isinstance(item, CommentedMap) and item.get("intent") == intent:
            return item
    return None
