"""What the person says to correct a report, or to answer its recap (used by `report_form`)."""

from __future__ import annotations

import re

from bot.text import words
from rasa_sdk import Tracker

# The part of the report a correction names, by the words that name it (folded, each the start
# of a word: « kiné », « kinésithérapeute »).
CORRECTION_WORDS = {
    "care_date": ("date", "jour", "quand"),
    "provider": ("professionnel", "medecin", "docteur", "nom", "dentiste", "pharmacie",
                 "etablissement", "praticien", "kine", "infirmi", "taxi", "ambulance", "labo",
                 "opticien", "cabinet", "hopital", "clinique", "centre", "orthophon", "psycho",
                 "podologue", "osteo", "sage femme", "radiolog", "specialiste", "generaliste"),
    "act_description": ("description", "acte", "explication", "texte"),
}  # fmt: skip
# The message that shows the whole report and asks « Oui, envoyer » (report_questions.py).
RECAP = "utter_report_summary"
# Words that name no professional on their own: what a provider's name is made of besides.
_NOBODY = frozenset((
    "le", "la", "les", "l", "de", "du", "des", "d", "chez", "au", "aux", "a", "un", "une", "ce",
    "cet", "cette", "mon", "ma", "mes", "son", "sa", "ses", "pas", "non", "mais", "et", "ou", "c",
    "est", "pour", "par", "avec", "sur", "en", "y", "ca", "ça", "cela", "ceci", "il", "elle", "lui",
))  # fmt: skip


def names_nobody(provider: str) -> bool:
    """« le », « chez le », « pas ça »: no letter, or only articles and small words."""
    found = re.findall(r"[^\W\d_]+", provider.lower())
    return not found or all(word in _NOBODY for word in found)


def field_named(text: str) -> str | None:
    """The part of the report a correction names (« la date », « le professionnel », « c'est le
    kiné »), if it names one."""
    folded = words(text)
    return next(
        (
            slot
            for slot, named in CORRECTION_WORDS.items()
            if any(re.search(rf"\b{word}", folded) for word in named)
        ),
        None,
    )


def answers_the_recap(tracker: Tracker) -> bool:
    """Whether the assistant's last message before the person's is the report's recap."""
    events = tracker.events
    last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=0)
    said = (e for e in reversed(events[:last_user]) if e.get("event") == "bot")
    last = next(said, None)
    return last is not None and (last.get("metadata") or {}).get("utter_action") == RECAP
