"""The whole-conversation test set (`bench/conversations.yml`): each person's claims, the claim
they mean, what they say, and the dates their messages speak of.

Standard library and PyYAML only: read in the API environment (`bench.conversation_people`
creates the people) and in the bot environment (`bench.conversation_bench` plays them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

SCRIPT = Path(__file__).with_name("conversations.yml")
NO_CLAIM = "none"
# The tag of a message → the question of the report form it answers.
TAGS = {
    "date": "care_date",
    "provider": "provider",
    "describe": "act_description",
    "confirm": "report_confirmed",  # a yes to the recap: the person means to send it
    "recap": "report_confirmed",  # anything else said to the recap (a correction…)
    "correct": "correction_field",
}
KNOWN = ("care_date", "provider", "act_description", "anomaly_type")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
_PLACEHOLDER = re.compile(r"\{(\w+):(\w+)([+-]\d+)?\}")

MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
          "septembre", "octobre", "novembre", "décembre")  # fmt: skip
WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
ORDINALS = ("le premier", "le deuxième", "le troisième", "le quatrième", "le cinquième",
            "le sixième", "le septième", "le huitième")  # fmt: skip


@dataclass(frozen=True)
class ClaimSpec:
    key: str
    provider: str  # the provider's identifier (api/demo/providers.py)
    act: str  # an act code of the catalogue (api/claims/catalogue.py)
    days_ago: int  # date of care, in days before the API's local today
    quantity: int = 1


@dataclass(frozen=True)
class Step:
    """One thing the person does: say something, or pick a payment among those shown."""

    kind: str  # "say", "choose" (a button) or "choose_text" (typed)
    text: str = ""
    slot: str | None = None  # the form's question a tagged message answers
    tag: str | None = None  # its tag in the script (a key of TAGS)
    claim: str | None = None  # a choice: the claim's key, or "none"
    otherwise: str | None = None  # said when the date is asked again instead of payments shown


@dataclass(frozen=True)
class Conversation:
    id: str
    theme: str
    claims: tuple[ClaimSpec, ...]
    means: str | None  # the claim the person means, None if it is not among theirs
    expect_claim: str | None  # `files: <key>`; None for `no_wrong_filing`
    knows: dict[str, str]  # what the person answers to a question the script did not foresee
    steps: tuple[Step, ...]

    @property
    def username(self) -> str:
        return f"conv-{self.id}"


def _claims(raw: dict[str, Any]) -> tuple[ClaimSpec, ...]:
    specs = tuple(
        ClaimSpec(
            key=str(key),
            provider=str(value["provider"]),
            act=str(value["act"]),
            days_ago=int(value["days_ago"]),
            quantity=int(value.get("quantity", 1)),
        )
        for key, value in raw.items()
    )
    same = {(c.provider, c.act, c.quantity, c.days_ago) for c in specs}
    if len(same) != len(specs):
        raise ValueError("two claims of one person differ in nothing")
    if any(not 0 <= c.days_ago <= 330 or c.quantity < 1 for c in specs):
        raise ValueError("a claim's date or quantity is out of range")
    return specs


def _step(raw: Any) -> Step:
    if isinstance(raw, str):
        return Step("say", raw)
    if not isinstance(raw, dict) or len(set(raw) - {"otherwise", "claim"}) != 1:
        raise ValueError(f"step not understood: {raw!r}")
    if "choose" in raw:
        return Step("choose", claim=str(raw["choose"]), otherwise=raw.get("otherwise"))
    if "choose_text" in raw:
        claim = raw.get("claim")
        return Step("choose_text", str(raw["choose_text"]), claim=str(claim) if claim else None)
    ((tag, text),) = raw.items()
    if tag not in TAGS:
        raise ValueError(f"unknown tag {tag!r}")
    return Step("say", str(text), slot=TAGS[tag], tag=tag)


def _conversation(raw: dict[str, Any]) -> Conversation:
    ident = str(raw["id"])
    if not _ID.match(ident):
        raise ValueError(f"bad id {ident!r}")
    claims = _claims(raw["claims"])
    keys = {c.key for c in claims}
    means = raw.get("means")
    expect = raw["expect"]
    expect_claim = None if expect == "no_wrong_filing" else str(expect["files"])
    knows = {str(k): str(v) for k, v in (raw.get("knows") or {}).items()}
    if means and "care_date" not in knows:
        knows["care_date"] = f"le {{date:{means}}}"
    steps = tuple(_step(s) for s in raw["messages"])
    chosen = {s.claim for s in steps if s.claim} - {NO_CLAIM}
    referenced = ({means, expect_claim} - {None}) | chosen
    if not referenced <= keys or set(knows) - set(KNOWN):
        raise ValueError(f"{ident}: unknown claim key or fact")
    return Conversation(ident, str(raw.get("theme", "")), claims, means, expect_claim, knows, steps)


def load(path: Path = SCRIPT) -> list[Conversation]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    conversations = [_conversation(raw) for raw in data["conversations"]]
    if len({c.id for c in conversations}) != len(conversations):
        raise ValueError("two conversations share an id")
    return conversations


def _day(day: date) -> str:
    return "1er" if day.day == 1 else str(day.day)


def _part(day: date) -> int:
    """0: the beginning of its month, 1: the middle, 2: the end."""
    return 0 if day.day <= 10 else 1 if day.day <= 20 else 2


def _period(day: date, today: date) -> str:
    """« au début du mois dernier », « à la fin du mois de septembre »…"""
    part = ("au début", "vers le milieu", "à la fin")[_part(day)]
    back = (today.year - day.year) * 12 + today.month - day.month
    month = (
        ("du mois", "du mois dernier")[back] if back < 2 else f"du mois de {MONTHS[day.month - 1]}"
    )
    return f"{part} {month}"


def spoken(form: str, day: date, today: date) -> str:
    """A date of care as a person says it: `form` is one of the placeholders' names."""
    month = MONTHS[day.month - 1]
    forms = {
        "date": f"{_day(day)} {month}",
        "day": _day(day),
        "month": month,
        "slash": f"{day.day:02d}/{day.month:02d}",
        "full": f"{day.day:02d}/{day.month:02d}/{day.year}",
        "weekday": WEEKDAYS[day.weekday()],
        "vague": ("début ", "mi-", "fin ")[_part(day)] + month,
        "period": _period(day, today),
    }
    if form == "short":  # the day alone within the current month, as people say it
        same_month = (day.year, day.month) == (today.year, today.month)
        return forms["day"] if same_month else forms["date"]
    if form not in forms:
        raise ValueError(f"unknown date form {form!r}")
    return forms[form]


def render(text: str, dates: dict[str, date], today: date, ordinal: int | None = None) -> str:
    """`text` with its placeholders filled: `{date:kine}`, `{day:kine-10}`, `{ordinal}`…"""

    def fill(found: re.Match[str]) -> str:
        form, key, shift = found[1], found[2], int(found[3] or 0)
        return spoken(form, date.fromordinal(dates[key].toordinal() + shift), today)

    if ordinal is not None:
        text = text.replace("{ordinal}", ORDINALS[min(ordinal, len(ORDINALS) - 1)])
    return _PLACEHOLDER.sub(fill, text)
