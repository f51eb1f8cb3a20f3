"""Mask what a policyholder must never type to the assistant: passwords, codes, bank details, NIR.

Channels call `redact` before a message reaches Rasa, so the value is stored nowhere: not in
the tracker store, not in a report's transcript, not in a log. Numbers are found however they
are spaced and kept unless python-stdnum validates them (`numbers.py`); passwords, codes and
identifiers are what follows a cue up to the end of the clause (`cues.py`). `masked_kinds`
tells what a text really had masked, so the assistant only ever says what it did.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.redaction.cues import CODE, LOGIN, PASSWORD, find_secrets
from bot.redaction.numbers import CARD, IBAN, NIR, Found, find_numbers

__all__ = [
    "CARD",
    "CODE",
    "IBAN",
    "LOGIN",
    "NIR",
    "PASSWORD",
    "PLACEHOLDERS",
    "Redacted",
    "has_placeholder",
    "masked_kinds",
    "redact",
]

PLACEHOLDERS = {
    PASSWORD: "[mot de passe masqué]",
    CODE: "[code masqué]",
    LOGIN: "[identifiant masqué]",
    IBAN: "[IBAN masqué]",
    CARD: "[numéro de carte masqué]",
    NIR: "[numéro de sécurité sociale masqué]",
}


@dataclass(frozen=True)
class Redacted:
    text: str
    kinds: tuple[str, ...]


def _placeholders_in(text: str) -> list[Found]:
    found = []
    for kind, placeholder in PLACEHOLDERS.items():
        start = text.find(placeholder)
        while start != -1:
            found.append(Found(start, start + len(placeholder), kind))
            start = text.find(placeholder, start + 1)
    return sorted(found)


def _replace(text: str, spans: list[Found]) -> str:
    parts, last = [], 0
    for span in sorted(spans):
        parts += [text[last : span.start], PLACEHOLDERS[span.kind]]
        last = span.end
    return "".join([*parts, text[last:]])


def masked_kinds(text: str) -> tuple[str, ...]:
    """The kinds whose placeholder is in `text`, in order of appearance."""
    return tuple(dict.fromkeys(found.kind for found in _placeholders_in(text)))


def redact(text: str) -> Redacted:
    """`text` with every secret found replaced by its placeholder, and the kinds replaced."""
    numbers = find_numbers(text)
    masked = _replace(text, numbers)
    secrets = find_secrets(masked, _placeholders_in(masked))
    masked = _replace(masked, secrets)
    kinds = {found.kind for found in [*numbers, *secrets]}
    return Redacted(masked, tuple(kind for kind in masked_kinds(masked) if kind in kinds))


def has_placeholder(text: str) -> bool:
    return any(placeholder in text for placeholder in PLACEHOLDERS.values())
