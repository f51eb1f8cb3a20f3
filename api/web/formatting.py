"""How numbers, amounts and dates read in French on the pages and in exports."""

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

NARROW_NBSP = "\u202f"
NBSP = "\u00a0"
CENTS = Decimal("0.01")


def number(value: int) -> str:
    """100000 → « 100 000 » (narrow no-break space between thousands)."""
    return f"{value:,}".replace(",", NARROW_NBSP)


def decimal_fr(value: Decimal) -> str:
    """1234.5 → « 1234,50 » (no thousands separator: what a spreadsheet reads back)."""
    return f"{value.quantize(CENTS, rounding=ROUND_HALF_UP)}".replace(".", ",")


def money(value: Decimal | None) -> str:
    """1234.5 → « 1 234,50 € »."""
    if value is None:
        return "—"
    units, cents = f"{value.quantize(CENTS, rounding=ROUND_HALF_UP):,}".split(".")
    return f"{units.replace(',', NARROW_NBSP)},{cents}{NBSP}€"


def date_fr(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else "—"


def local(value: datetime, timezone: str) -> datetime:
    return value.astimezone(ZoneInfo(timezone))


def datetime_fr(value: datetime | None, timezone: str) -> str:
    """A UTC timestamp as French time: « 26/11/2026 à 17:05 »."""
    if value is None:
        return "—"
    return local(value, timezone).strftime("%d/%m/%Y à %H:%M")


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """« 1 jour », « 3 jours », « 100 000 signalements »."""
    word = singular if count in (0, 1) else (plural_form or f"{singular}s")
    return f"{number(count)}{NBSP}{word}"
