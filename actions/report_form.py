"""The report form's validation: the date, the provider, the claim and what went wrong, then
the confirmation (the questions that need more than a sentence are in `report_questions`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.french_dates import find_care_date, format_french, today_in_paris
from contract.calendar import HISTORY_MONTHS, months_before
from contract.intents import QUESTIONS_ANSWERED_BESIDE
from contract.reports import DESCRIPTION_MAX, REPORT_SLOTS
from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT
from rasa_sdk.types import DomainDict

from actions.api_client import ApiUnavailable, NotAuthenticated, Rejected, get_api
from actions.conversation import caller, previous_value, session_expired
from actions.corrections import CORRECTION_WORDS, answers_the_recap, field_named, names_nobody
from actions.date_lookup import (
    LOOKUP_SLOT,
    date_not_given,
    filled_from_claim,
    none_of_these,
    order_for_lookup,
)
from actions.slots import NO_CLAIM, stale_after_change
from actions.wording import (
    ANOMALY_LABELS,
    claim_label,
    infer_anomaly_type,
    is_bare_request,
    ordinal_choice,
)

OPENING_INTENT = "report_suspicious_reimbursement"
# Requested slots at which a provider named in passing may replace the one collected.
PROVIDER_CHANGE_STEPS = (None, "care_date", "provider", "claim_choice", "correction_field",
                         "report_confirmed")  # fmt: skip


def _changed(tracker: Tracker, slot: str, value: Any) -> bool:
    before = previous_value(tracker, slot)
    return before is not None and before != value


def _entity_spans(tracker: Tracker) -> list[tuple[int, int]]:
    return [
        (int(e["start"]), int(e["end"]))
        for e in tracker.latest_message.get("entities", [])
        if e.get("entity") in ("care_date", "provider") and "start" in e and "end" in e
    ]


def answer_question_asked_beside(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """« Est-ce une arnaque ? Je n'ai jamais eu ce soin »: answer, then the form goes on."""
    latest = tracker.latest_message
    if (latest.get("intent") or {}).get("name") != OPENING_INTENT:
        return
    response = QUESTIONS_ANSWERED_BESIDE.get(str(latest.get("also_asked")))
    if response:
        dispatcher.utter_message(response=response)


class ValidateReportForm(FormValidationAction):
    def name(self) -> str:
        return "validate_report_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        if caller(tracker) is None:
            return []  # ends the form at once: run() has told the user to sign in
        slots = ["care_date", "provider", "claim_choice", "act_description", "anomaly_type"]
        if tracker.get_slot("correction_pending"):
            slots.append("correction_field")
        return order_for_lookup([*slots, "report_confirmed"], tracker.get_slot(LOOKUP_SLOT))

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if caller(tracker) is None:
            dispatcher.utter_message(
                response="utter_session_expired"
                if session_expired(tracker)
                else "utter_login_required"
            )
            return [*(SlotSet(s, None) for s in REPORT_SLOTS), SlotSet(REQUESTED_SLOT, None)]
        answer_question_asked_beside(dispatcher, tracker)
        return await super().run(dispatcher, tracker, domain)

    async def extract_claim_choice(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """« le deuxième » while the payments are offered: the one at that rank."""
        if tracker.get_slot(REQUESTED_SLOT) != "claim_choice":
            return {}
        if tracker.get_slot("claim_choice") is not None:
            return {}  # a button or « oui » / « non » already answered
        candidates = tracker.get_slot("claim_candidates") or []
        index = ordinal_choice(tracker.latest_message.get("text") or "", len(candidates))
        return {} if index is None else {"claim_choice": str(candidates[index]["id"])}

    async def validate_care_date(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        today = today_in_paris()
        try:
            care_date: date | None = date.fromisoformat(str(value))
        except ValueError:
            found = find_care_date(str(value), today)
            care_date = found.value if found else None
        if care_date is None or care_date > today:
            reason = "utter_care_date_in_future" if care_date else "utter_care_date_not_understood"
            if tracker.get_slot(REQUESTED_SLOT) == "care_date":  # an answer to the question
                return await date_not_given(dispatcher, tracker, reason=reason)
            dispatcher.utter_message(response=reason)  # said in passing: the question follows
            return {"care_date": None}
        history_start = months_before(today, HISTORY_MONTHS)
        if care_date < history_start:
            dispatcher.utter_message(
                response="utter_care_date_too_old", history_start=format_french(history_start)
            )
            return {"care_date": None}
        iso = care_date.isoformat()
        stale = stale_after_change("care_date") if _changed(tracker, "care_date", iso) else {}
        return {**stale, "care_date": iso}

    async def validate_provider(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        before = previous_value(tracker, "provider")
        if before and tracker.get_slot(REQUESTED_SLOT) not in PROVIDER_CHANGE_STEPS:
            # A name met while describing the problem is not a correction of the provider.
            return {"provider": before}
        provider = " ".join(str(value).split())
        if provider.startswith("/"):  # a payment chosen among those offered: it names the provider
            return {"provider": filled_from_claim(tracker, self._choice(tracker)).get("provider")}
        if names_nobody(provider) and before and tracker.get_slot(REQUESTED_SLOT) != "provider":
            return {"provider": before}  # « le » found in a correction names no one: no change
        if not 2 <= len(provider) <= 200 or names_nobody(provider):
            dispatcher.utter_message(response="utter_provider_not_understood")
            return {"provider": None}
        stale = stale_after_change("provider") if before and before != provider else {}
        return {**stale, "provider": provider}

    async def validate_claim_choice(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        choice = str(value)
        candidate_ids = [str(c["id"]) for c in tracker.get_slot("claim_candidates") or []]
        if choice == "yes" and len(candidate_ids) == 1:
            choice = candidate_ids[0]
        if choice in candidate_ids:
            return {"claim_choice": choice, **filled_from_claim(tracker, choice)}
        if choice == NO_CLAIM:
            return none_of_these(tracker) or {"claim_choice": choice}
        opening = (tracker.latest_message.get("intent") or {}).get("name") == OPENING_INTENT
        if opening and choice.isdigit():
            return await self._prefilled_claim(int(choice), dispatcher, tracker)
        if choice == "fix_date":
            return {"claim_choice": None, "care_date": None, **none_of_these(tracker)}
        if choice == "fix_provider":
            return {"claim_choice": None, "provider": None}
        return {"claim_choice": None}  # « retry » or anything else: ask again

    @staticmethod
    def _choice(tracker: Tracker) -> str:
        entities = tracker.latest_message.get("entities") or []
        return next((str(e["value"]) for e in entities if e.get("entity") == "claim_choice"), "")

    async def _prefilled_claim(
        self, claim_id: int, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        """« Signaler ce remboursement » on the payments page names the claim: check it is the
        caller's, and that it agrees with the date and provider sent along, before taking it."""
        who = caller(tracker)
        if who is None or not 0 < claim_id < 2**31:
            return {"claim_choice": None}
        try:
            claim = await get_api().get_claim(who, claim_id)
        except (ApiUnavailable, NotAuthenticated, Rejected):
            claim = None
        if claim is None or claim["care_date"] != tracker.get_slot("care_date"):
            return {"claim_choice": None}  # the form then searches as usual
        candidates = [{"id": claim["id"], "label": claim_label(claim)}]
        return {"claim_choice": str(claim["id"]), "claim_candidates": candidates}

    async def validate_act_description(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        description = str(value).strip()
        asked = tracker.get_slot(REQUESTED_SLOT) == "act_description"
        if not asked and description.startswith("/"):
            return {"act_description": None}  # a button's or the payments page's payload
        if not asked and is_bare_request(description, _entity_spans(tracker)):
            return {"act_description": None}  # the opening message only asked to report
        if len(description) > DESCRIPTION_MAX:
            dispatcher.utter_message(response="utter_description_too_long")
            return {"act_description": None}
        if len(description) < 8 or len(description.split()) < 2:
            dispatcher.utter_message(response="utter_description_too_short")
            return {"act_description": None}
        result: dict[str, Any] = {"act_description": description}
        if _changed(tracker, "act_description", description):
            result.update(stale_after_change("act_description"))
        inferred = infer_anomaly_type(description)
        if inferred and (tracker.get_slot("anomaly_type") is None or "report_confirmed" in result):
            result["anomaly_type"] = inferred
        return result

    async def validate_anomaly_type(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        choice = str(value)
        if choice in ANOMALY_LABELS:
            return {"anomaly_type": choice}
        inferred = infer_anomaly_type(choice) or ("other" if "autre" in choice.lower() else None)
        return {"anomaly_type": inferred}

    async def validate_correction_field(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(value).lower()
        field = text if text in CORRECTION_WORDS else field_named(text)
        if field is None:
            return {"correction_field": None}
        return {**stale_after_change(field), field: None, "correction_field": None}

    async def validate_report_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        corrected = any(
            slot in tracker.slots_to_validate()
            and _changed(tracker, slot, tracker.get_slot(slot))
            and not (slot == "provider" and names_nobody(str(tracker.get_slot(slot))))
            for slot in ("care_date", "provider", "act_description")
        )
        if value is True and not corrected:
            # A yes files only the recap it answers: after anything else (a fallback, a
            # question), the recap is shown again first.
            return {"report_confirmed": True if answers_the_recap(tracker) else None}
        if corrected:  # « oui, mais c'était le kiné »: a correction, never a confirmation
            return {"report_confirmed": None}  # « non, c'était le 4 mars »: already corrected
        field = field_named(str(tracker.latest_message.get("text") or ""))
        if field:  # « non, c'est pas le bon professionnel, c'est le kiné »: asked again
            return {**stale_after_change(field), field: None, "report_confirmed": None}
        return {"report_confirmed": None, "correction_pending": True}
