"""Text folding shared by the assistant's parts: case and accents do not matter."""

from __future__ import annotations

import re
import unicodedata


def strip_accents(text: str) -> str:
    """« Éléonore » → « Eleonore »; keeps every other character, so positions still match."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold(text: str) -> str:
    """Lower case, no accents, apostrophes as spaces: « C'était Hier » → « c etait hier »."""
    return re.sub(r"['’`]", " ", strip_accents(text).lower())


def words(text: str) -> str:
    """Folded words separated by single spaces: « Dr. Élodie-Garnier » → « dr elodie garnier »."""
    return re.sub(r"[^a-z0-9]+", " ", fold(text)).strip()
