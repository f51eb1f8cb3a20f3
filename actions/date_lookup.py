"""When the person cannot give the date of care: find the payment another way, and never ask
the same question more than twice (issue 17).

The date is asked once. After one answer that gives no usable date (« je ne sais plus », « la
semaine dernière je crois »), the form stops asking it: it offers the recent payments as
choices and asks for the provider, whose payments are then offered. Only if none of them is
the line is the date asked a second and last time, saying where to find it; a second failure
ends the form and points to « Mes paiements », where each line opens a report by itself.
"""

from __future__ import annotations

from typing import Any

from contract.reports import REPORT_SLOTS
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.api_client import ApiUnavailable, NotAuthenticated, Rejected, get_api
from actions.conversation import caller
from actions.wording import claim_button_title, claim_candidate

LOOKUP_SLOT = "care_date_lookup"
OTHER_WAY = "other_way"  # by the provider and the recent payments
RETRY = "retry"  # the date asked a second and last time
GAVE_UP = "gave_up"
RECENT_OFFERED = 4


def order_for_lookup(slots: list[str], lookup: str | None) -> list[str]:
    """The form's questions in the order the lookup needs: none once it gave up; the date
    after the payments while it is found another way."""
    if lookup == GAVE_UP:
        return []
    if lookup == OTHER_WAY:
        rest = [slot for slot in slots if slot != "care_date"]
        after = rest.index("claim_choice") + 1
        return [*rest[:after], "care_date", *rest[after:]]
    return slots


async def date_not_given(
    dispatcher: CollectingDispatcher, tracker: Tracker, *, reason: str
) -> dict[str, Any]:
    """The answer to the date question gave no usable date; `reason` is the response that
    says why (not understood, in the future)."""
    lookup = tracker.get_slot(LOOKUP_SLOT)
    if lookup in (OTHER_WAY, RETRY):
        dispatcher.utter_message(response="utter_care_date_give_up")
        return {**dict.fromkeys(REPORT_SLOTS), "care_date": None, LOOKUP_SLOT: GAVE_UP}
    if reason != "utter_care_date_not_understood":
        dispatcher.utter_message(response=reason)  # a date in the future: say why it is refused
    dispatcher.utter_message(response="utter_care_date_other_way")
    offered = (
        {} if tracker.get_slot("provider") else await offer_recent_payments(dispatcher, tracker)
    )
    return {"care_date": None, LOOKUP_SLOT: OTHER_WAY, **offered}


async def offer_recent_payments(
    dispatcher: CollectingDispatcher, tracker: Tracker
) -> dict[str, Any]:
    """The latest payments as buttons, before the provider is asked: a choice needs no date."""
    try:
        claims = await get_api().recent_claims(caller(tracker), limit=RECENT_OFFERED)
    except (ApiUnavailable, NotAuthenticated, Rejected):
        return {}  # the provider question follows: the payments are searched then
    if not claims:
        return {}
    dispatcher.utter_message(
        response="utter_recent_payments",
        buttons=[
            {
                "title": claim_button_title(claim),
                "payload": f'/inform{{"claim_choice":"{claim["id"]}"}}',
            }
            for claim in claims
        ],
    )
    return {"claim_candidates": [claim_candidate(claim) for claim in claims]}


def chosen_candidate(tracker: Tracker, choice: str) -> dict[str, Any] | None:
    candidates = tracker.get_slot("claim_candidates") or []
    return next((c for c in candidates if str(c.get("id")) == choice), None)


def filled_from_claim(tracker: Tracker, choice: str) -> dict[str, Any]:
    """A payment chosen without a date (or a provider) gives them: the line says both."""
    candidate = chosen_candidate(tracker, choice)
    if candidate is None:
        return {}
    filled: dict[str, Any] = {}
    if tracker.get_slot("care_date") is None and candidate.get("care_date"):
        filled["care_date"] = candidate["care_date"]
    if candidate.get("provider") and (
        tracker.get_slot("provider") is None or str(tracker.get_slot("provider")).startswith("/")
    ):
        filled["provider"] = candidate["provider"]
    return filled


def none_of_these(tracker: Tracker) -> dict[str, Any]:
    """« Aucun de ceux-là » while the date is still unknown: ask it, a second and last time;
    the payments are then searched again with it."""
    if tracker.get_slot("care_date") is None and tracker.get_slot(LOOKUP_SLOT) == OTHER_WAY:
        return {"claim_choice": None, "claim_candidates": None, LOOKUP_SLOT: RETRY}
    return {}
