"""Calendar dates as the policyholder sees them (French time, not UTC)."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

# The history's arithmetic is the assistant's too: one definition, in the contract.
from contract.calendar import months_before

__all__ = ["add_days", "local_day_end", "local_midnight", "local_today", "months_before"]


def local_today(timezone: str) -> date:
    return datetime.now(ZoneInfo(timezone)).date()


def add_days(day: date, days: int) -> date:
    """`day` moved by `days`, held within the dates a `date` can be (0001-01-01 to 9999-12-31):
    a window around a date typed at either end of the calendar stops there instead of failing."""
    ordinal = min(max(day.toordinal() + days, date.min.toordinal()), date.max.toordinal())
    return date.fromordinal(ordinal)


def local_midnight(day: date, timezone: str) -> datetime | None:
    """Midnight at the start of `day` in `timezone`, as a UTC instant; None when that instant
    is before the first one a `datetime` can hold (0001-01-01 east of Greenwich), that is,
    earlier than anything recorded."""
    try:
        return datetime.combine(day, time.min, ZoneInfo(timezone)).astimezone(UTC)
    except OverflowError:
        return None


def local_day_end(day: date, timezone: str) -> datetime | None:
    """Midnight at the end of `day` in `timezone` (the start of the next day), as a UTC
    instant; None after the last day of the calendar, later than anything recorded."""
    if day >= date.max:
        return None
    return local_midnight(date.fromordinal(day.toordinal() + 1), timezone)
