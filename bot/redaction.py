"""Mask what a policyholder must never type to the assistant: passwords, bank details, NIR.

Channels call `redact` before a message reaches Rasa, so the value is stored nowhere: not in
the tracker store, not in a report's transcript, not in a log.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PASSWORD = "password"  # noqa: S105 - the name of a kind of secret, not one
IBAN = "iban"
CARD = "card"
NIR = "nir"

PLACEHOLDERS = {
    PASSWORD: "[mot de passe masqué]",
    IBAN: "[IBAN masqué]",
    CARD: "[numéro de carte masqué]",
    NIR: "[numéro de sécurité sociale masqué]",
}

_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,4})?\b", re.I)
# 13 digits (sex, year, month, department, town, order) and an optional 2-digit key.
_NIR = re.compile(
    r"(?<!\d)[12][ .]?\d{2}[ .]?(?:0[1-9]|1[0-2]|[2-9]\d)[ .]?(?:\d{2}|2A|2B)[ .]?\d{3}[ .]?\d{3}"
    r"(?:[ .]?\d{2})?(?!\d)",
    re.I,
)
_CARD = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")
_PASSWORD = re.compile(
    r"\b(mot\s+de\s+passe|mdp|password|passwd|code\s+secret|code\s+confidentiel)"
    r"(\s*(?:est|c['’]est|:|=|->)\s*|\s+)[«\"']?\s*(\S+)",
    re.I,
)


@dataclass(frozen=True)
class Redacted:
    text: str
    kinds: tuple[str, ...]


def _luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _mask_password(match: re.Match[str]) -> str:
    label, connector, secret = match[1], match[2], match[3]
    has_connector = connector.strip() != ""
    looks_secret = any(not ch.isalpha() for ch in secret)
    if not (has_connector or looks_secret):
        return match[0]  # « mot de passe oublié » : nothing secret there
    return f"{label}{connector}{PLACEHOLDERS[PASSWORD]}"


def redact(text: str) -> Redacted:
    kinds: list[str] = []

    def masker(kind: str, check: bool = False) -> object:
        def mask(match: re.Match[str]) -> str:
            if check and not _luhn_valid(re.sub(r"\D", "", match[0])):
                return match[0]
            kinds.append(kind)
            return PLACEHOLDERS[kind]

        return mask

    result = _IBAN.sub(masker(IBAN), text)  # type: ignore[arg-type]
    result = _NIR.sub(masker(NIR), result)  # type: ignore[arg-type]
    result = _CARD.sub(masker(CARD, check=True), result)  # type: ignore[arg-type]
    before = result
    result = _PASSWORD.sub(_mask_password, result)
    if result != before:
        kinds.append(PASSWORD)
    return Redacted(result, tuple(dict.fromkeys(kinds)))


def has_placeholder(text: str) -> bool:
    return any(placeholder in text for placeholder in PLACEHOLDERS.values())
