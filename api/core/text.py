"""Text normalisation shared by searches: case, accents and punctuation do not matter."""

import re
import unicodedata

_NON_WORD = re.compile(r"[^0-9a-z]+")

# Words people put around a provider's name that say nothing about which provider it is.
_FILLER_WORDS = frozenset(
    [
        "dr",
        "docteur",
        "doc",
        "docteure",
        "pr",
        "professeur",
        "mme",
        "madame",
        "mlle",
        "mademoiselle",
        "m",
        "mr",
        "monsieur",
        "le",
        "la",
        "les",
        "l",
        "du",
        "de",
        "des",
        "d",
        "chez",
        "mon",
        "ma",
        "mes",
        "au",
        "aux",
        "cabinet",
    ]
)


def fold(text: str) -> str:
    """Lower-case ASCII words, single spaces: « Dr Élodie-Garnier » → « dr elodie garnier »."""
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", ascii_text.lower()).strip()


def significant_words(text: str) -> str:
    """The folded text without titles and articles: « le Docteur Martin » → « martin »."""
    return " ".join(word for word in fold(text).split() if word not in _FILLER_WORDS)


NBSP = "\u00a0"
_BEFORE_PUNCTUATION = re.compile(r" ([:;?!»])")
_AFTER_QUOTE = re.compile(r"« ")


def french_spacing(text: str) -> str:
    """French typography for a sentence written with plain spaces: a no-break space before
    « : ; ? ! » and inside the quotes « », so a line never breaks there."""
    spaced = _BEFORE_PUNCTUATION.sub(NBSP + r"\1", text)
    return _AFTER_QUOTE.sub("«" + NBSP, spaced)
