"""The slots of a report in progress, and the events that clear them."""

from __future__ import annotations

from contract.reports import REPORT_SLOTS
from rasa_sdk.events import EventType, SlotSet

# Changing any of these makes the claim found earlier and the confirmation stale.
MATCHING_SLOTS = ("care_date", "provider")
NO_CLAIM = "none"


def clear_report() -> list[EventType]:
    return [SlotSet(slot, None) for slot in REPORT_SLOTS]


def stale_after_change(slot: str) -> dict[str, object]:
    """What a correction of `slot` invalidates."""
    cleared: dict[str, object] = {"report_confirmed": None, "correction_pending": None}
    if slot in MATCHING_SLOTS:
        cleared.update(claim_choice=None, claim_candidates=None)
    return cleared
