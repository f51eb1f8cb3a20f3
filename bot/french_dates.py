"""Dates of care as French people type them, resolved against the day of the message.

Precise forms are read by our own rules (« le 3 mars », « 03/03/2026 », « 3/3 », « 2026-03-03 »,
« lundi dernier », « hier », « il y a deux semaines »); dateparser is the fallback for the
other relative forms. Vague expressions (« la semaine dernière », « début avril ») give nothing,
so that the assistant asks for the exact day instead of guessing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from contract.calendar import TIMEZONE, months_before

from bot.text import fold

PARIS = ZoneInfo(TIMEZONE)

MONTHS = {
    "janvier": 1, "janv": 1, "jan": 1, "fevrier": 2, "fevr": 2, "fev": 2, "mars": 3, "mar": 3,
    "avril": 4, "avr": 4, "mai": 5, "juin": 6, "juillet": 7, "juil": 7, "aout": 8,
    "septembre": 9, "sept": 9, "sep": 9, "octobre": 10, "oct": 10, "novembre": 11, "nov": 11,
    "decembre": 12, "dec": 12,
}  # fmt: skip
WEEKDAYS = {
    "lundi": 0, "mardi": 1, "mercredi": 2, "jeudi": 3, "vendredi": 4, "samedi": 5, "dimanche": 6,
}  # fmt: skip
NUMBERS = {
    "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7,
    "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "quinze": 15, "vingt": 20,
}  # fmt: skip

_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_WEEKDAY = "|".join(WEEKDAYS)
_NUMBER = "|".join(NUMBERS)

ISO = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
NUMERIC = re.compile(r"(?<![\d/.-])(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{4}|\d{2}))?(?![\d/.-])")
TEXTUAL = re.compile(
    rf"\b(?:(?:{_WEEKDAY})\s+)?(1er|premier|\d{{1,2}})\s+({_MONTH})\.?(?:\s+(\d{{4}}))?\b"
)
# « le 1er », « du 12 »; not « le premier », which names the first of a list far more often.
DAY_ONLY = re.compile(
    r"\b(?:le|du)\s+(1er|\d{1,2})(?![\d/.:h-])"
    r"(?!\s*(?:seances?|fois|euros?|eur|jours?|semaines?|mois|ans?|ordonnances?)\b)"
)
WEEKDAY_PAST = re.compile(rf"\b({_WEEKDAY})(?:\s+(dernier|passe))?\b")
AGO = re.compile(rf"\bil\s+y\s+a\s+(\d{{1,2}}|{_NUMBER})\s+(jours?|semaines?|mois)\b")
RELATIVE_WORDS = {"avant hier": 2, "avant-hier": 2, "hier": 1, "aujourd hui": 0, "ce matin": 0}


@dataclass(frozen=True)
class FoundDate:
    value: date
    start: int  # where the words that gave the date are in the message
    end: int


# What a rule makes of its pattern's match, given the day of the message.
Rule = Callable[[re.Match[str], date], FoundDate | None]


def today_in_paris(now: datetime | None = None) -> date:
    return (now or datetime.now(PARIS)).astimezone(PARIS).date()


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _latest_past(month: int, day: int, today: date) -> date | None:
    """The most recent date with this month and day, today included (a year back if needed)."""
    for year in (today.year, today.year - 1):
        candidate = _safe_date(year, month, day)
        if candidate is not None and candidate <= today:
            return candidate
    return None


def _year(text: str) -> int:
    return int(text) + 2000 if len(text) == 2 else int(text)


def _day_number(text: str) -> int:
    return 1 if text in {"1er", "premier"} else int(text)


def _found(found: date | None, match: re.Match[str]) -> FoundDate | None:
    return FoundDate(found, match.start(), match.end()) if found else None


def _iso(match: re.Match[str], today: date) -> FoundDate | None:
    return _found(_safe_date(int(match[1]), int(match[2]), int(match[3])), match)


def _numeric(match: re.Match[str], today: date) -> FoundDate | None:
    day, month = int(match[1]), int(match[2])
    if match[3]:
        return _found(_safe_date(_year(match[3]), month, day), match)
    return _found(_latest_past(month, day, today), match)


def _textual(match: re.Match[str], today: date) -> FoundDate | None:
    day, month = _day_number(match[1]), MONTHS[match[2]]
    if match[3]:
        return _found(_safe_date(int(match[3]), month, day), match)
    return _found(_latest_past(month, day, today), match)


def _ago(match: re.Match[str], today: date) -> FoundDate | None:
    amount = int(match[1]) if match[1].isdigit() else NUMBERS[match[1]]
    unit = match[2]
    if unit.startswith("jour"):
        return _found(today - timedelta(days=amount), match)
    if unit.startswith("semaine"):
        return _found(today - timedelta(weeks=amount), match)
    return _found(months_before(today, amount), match)


def _days_back(days: int) -> Rule:
    def resolve(match: re.Match[str], today: date) -> FoundDate | None:
        return _found(today - timedelta(days=days), match)

    return resolve


def _day_only(match: re.Match[str], today: date) -> FoundDate | None:
    """« le 12 »: the latest 12th, this month or one of the two before."""
    day = _day_number(match[1])
    for months_back in range(0, 3):
        anchor = months_before(today, months_back)
        found = _safe_date(anchor.year, anchor.month, day)
        if found is not None and found <= today:
            return _found(found, match)
    return None


def _weekday_past(match: re.Match[str], today: date) -> FoundDate | None:
    # « lundi dernier », « mardi » : the latest such day strictly before today.
    back = (today.weekday() - WEEKDAYS[match[1]]) % 7 or 7
    return _found(today - timedelta(days=back), match)


# Tried in this order; the first pattern found decides, even when its date does not exist.
RULES: tuple[tuple[re.Pattern[str], Rule], ...] = (
    (ISO, _iso),
    (NUMERIC, _numeric),
    (TEXTUAL, _textual),
    (AGO, _ago),
    *((re.compile(rf"\b{words}\b"), _days_back(days)) for words, days in RELATIVE_WORDS.items()),
    (DAY_ONLY, _day_only),
    (WEEKDAY_PAST, _weekday_past),
)


def _from_rules(text: str, today: date) -> FoundDate | None:
    for pattern, resolve in RULES:
        if match := pattern.search(text):
            return resolve(match, today)
    return None


def _from_dateparser(text: str, today: date) -> FoundDate | None:
    """Fallback for other relative forms (« il y a une quinzaine de jours »).

    Only answers with a number and a unit or a month are kept: dateparser also reads a bare
    time (« à 10h ») as today and « début avril » as the 26th, which would be guesses.
    """
    # What is kept has a digit or « hier » in it: without either, dateparser (a few
    # milliseconds a message) has nothing to give.
    if not re.search(r"\d|\bhier\b", text):
        return None
    from dateparser.search import search_dates

    base = datetime(today.year, today.month, today.day, 12, 0)
    settings = {
        "DATE_ORDER": "DMY",
        "PREFER_DATES_FROM": "past",
        "RELATIVE_BASE": base,
        "RETURN_AS_TIMEZONE_AWARE": False,
    }
    found = search_dates(text, languages=["fr"], settings=settings) or []
    for words, moment in found:
        folded = fold(words)
        names_a_day = re.search(r"\d", folded) and re.search(
            rf"\b(jours?|semaines?|mois|ans?|{_MONTH})\b", folded
        )
        start = max(text.find(folded), 0)
        # « j'ai 52 ans », « mon fils de 12 ans »: an age, not a date of care.
        ago = re.search(r"\bil y\s*(a\s*)?$", text[:start]) or "y a " in folded
        an_age = re.search(r"\bans?\b", folded) and not ago
        if (names_a_day and not an_age) or re.search(r"\bhier\b", folded):
            return FoundDate(moment.date(), start, start + len(folded))
    return None


def find_care_date(message: str, today: date) -> FoundDate | None:
    """The date a message speaks of, or None when there is none or it is too vague."""
    text = fold(message)
    return _from_rules(text, today) or _from_dateparser(text, today)


def format_french(day: date) -> str:
    """« 3 mars 2026 », as the assistant writes dates."""
    names = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
             "septembre", "octobre", "novembre", "décembre"]  # fmt: skip
    first = "1er" if day.day == 1 else str(day.day)
    return f"{first} {names[day.month - 1]} {day.year}"
