"""Calendar dates as the policyholder sees them (French time, not UTC)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo


def local_today(timezone: str) -> date:
    return datetime.now(ZoneInfo(timezone)).date()


def months_before(day: date, months: int) -> date:
    """The same day `months` months earlier, clamped to the month's end (31 May - 3 → 28 Feb)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    for candidate_day in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate_day))
        except ValueError:
            continue
    raise AssertionError("unreachable")
