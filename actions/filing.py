"""Filing the confirmed report through the API, exactly once; cancelling it; completing the
person's open report instead of filing the same line twice."""

from __future__ import annotations

import hashlib
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.api_client import ApiUnavailable, NotAuthenticated, Rejected, get_api
from actions.conversation import caller, new_report_key, transcript
from actions.slots import clear_report

ALREADY_REPORTED = "already_reported"


def report_payload(tracker: Tracker) -> dict[str, Any]:
    choice = str(tracker.get_slot("claim_choice") or "")
    return {
        "claim_id": int(choice) if choice.isdigit() else None,
        "care_date": tracker.get_slot("care_date"),
        "provider_name": tracker.get_slot("provider"),
        "description": tracker.get_slot("act_description"),
        "anomaly_type": tracker.get_slot("anomaly_type") or "other",
        "channel": "assistant",
        "transcript": transcript(tracker),
    }


def _offer_complement(
    dispatcher: CollectingDispatcher, tracker: Tracker, refusal: Rejected
) -> list[EventType]:
    """The line is already reported and still open: offer to add what the person just said."""
    reference = str(refusal.body.get("reference") or "")
    dispatcher.utter_message(
        response="utter_report_already_filed",
        reference=reference,
        status_label=str(refusal.body.get("status_label") or "en cours"),
    )
    description = tracker.get_slot("act_description")
    return [*clear_report(), SlotSet("complement_for", reference),
            SlotSet("act_description", description)]  # fmt: skip


class ActionFileReport(Action):
    def name(self) -> str:
        return "action_file_report"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if tracker.get_slot("report_confirmed") is not True:
            # The form ended without a confirmed report (no sign-in, no date found).
            return [SlotSet("care_date_lookup", None)]
        who = caller(tracker)
        key = tracker.get_slot("report_key") or new_report_key(tracker)
        kept = [SlotSet("report_pending", True), SlotSet("report_key", key)]
        if who is None:
            dispatcher.utter_message(response="utter_session_expired")
            return kept
        try:
            filed = await get_api().file_report(who, report_payload(tracker), idempotency_key=key)
        except ApiUnavailable:
            dispatcher.utter_message(response="utter_report_filing_failed")
            return kept
        except NotAuthenticated:
            dispatcher.utter_message(response="utter_session_expired")
            return kept
        except Rejected as rejection:
            if rejection.code == ALREADY_REPORTED and rejection.body.get("reference"):
                return _offer_complement(dispatcher, tracker, rejection)
            dispatcher.utter_message(response="utter_report_rejected", reason=rejection.detail)
            return clear_report()
        dispatcher.utter_message(response="utter_report_filed", reference=filed.reference)
        return [*clear_report(), SlotSet("report_reference", filed.reference)]


class ActionAddComplement(Action):
    """« Oui » to the offer: the person's description joins their open report, once."""

    def name(self) -> str:
        return "action_add_complement"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        reference = str(tracker.get_slot("complement_for") or "")
        text = str(tracker.get_slot("act_description") or "")
        who = caller(tracker)
        if who is None:
            dispatcher.utter_message(response="utter_session_expired")
            return []
        seed = f"{tracker.sender_id}:{reference}:{text}".encode()
        key = "complement-" + hashlib.sha256(seed).hexdigest()[:40]
        try:
            await get_api().add_complement(who, reference, text, idempotency_key=key)
        except ApiUnavailable:
            dispatcher.utter_message(response="utter_complement_failed", reference=reference)
            return []  # still offered: « oui » tries again, and adds it once
        except NotAuthenticated:
            dispatcher.utter_message(response="utter_session_expired")
            return []
        except Rejected as rejection:
            dispatcher.utter_message(response="utter_report_rejected", reason=rejection.detail)
            return clear_report()
        dispatcher.utter_message(response="utter_complement_added", reference=reference)
        return clear_report()


class ActionDeclineComplement(Action):
    def name(self) -> str:
        return "action_decline_complement"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        reference = str(tracker.get_slot("complement_for") or "")
        dispatcher.utter_message(response="utter_complement_declined", reference=reference)
        return clear_report()


class ActionCancelReport(Action):
    def name(self) -> str:
        return "action_cancel_report"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_report_cancelled")
        return clear_report()
