"""The calendar both sides read dates of care in: French time, and a history 27 months deep.

The API lists a policyholder's claims over the history and refuses reports about older ones;
the assistant resolves « hier » or « le 3 mars » in the same time zone and refuses, before any
call, a date of care the history no longer shows. Both read these values here.
"""

from __future__ import annotations

from datetime import date

# The time zone policyholders read dates and times in.
TIMEZONE = "Europe/Paris"
# How far back the account's payments page goes (and so what can still be reported).
HISTORY_MONTHS = 27


def months_before(day: date, months: int) -> date:
    """The same day `months` months earlier, clamped to the month's end (31 May - 3 → 28 Feb)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    for last_day in (31, 30, 29, 28):
        try:
            return date(year, month + 1, min(day.day, last_day))
        except ValueError:
            continue
    raise AssertionError("unreachable")
