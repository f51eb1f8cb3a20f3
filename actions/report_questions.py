"""The report form's questions that need more than a sentence: the claims the person may mean,
found at the API and offered as buttons, and the whole report to confirm before it is filed."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.french_dates import format_french
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.api_client import ApiUnavailable, NotAuthenticated, Rejected, get_api
from actions.conversation import Caller, caller, new_report_key
from actions.slots import NO_CLAIM
from actions.wording import ANOMALY_LABELS, claim_button_title, claim_candidate, claim_label


class ActionAskClaimChoice(Action):
    """Find the claim the person means and offer it (or them) as buttons."""

    def name(self) -> str:
        return "action_ask_claim_choice"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        who = caller(tracker)
        care_date, provider = tracker.get_slot("care_date"), tracker.get_slot("provider")
        try:
            claims, nearby = await _claims_meant(who, care_date, provider)
        except (ApiUnavailable, Rejected):
            dispatcher.utter_message(
                response="utter_claims_unavailable",
                buttons=[
                    _button("Réessayer", "retry"),
                    _button("Continuer sans rattacher", NO_CLAIM),
                ],
            )
            return [SlotSet("claim_candidates", [])]
        except NotAuthenticated:
            dispatcher.utter_message(response="utter_session_expired")
            return [SlotSet("claim_candidates", [])]

        offered = claims or nearby
        buttons = [_button(claim_button_title(c), str(c["id"])) for c in offered]
        if len(claims) == 1:
            _tell_if_reported(dispatcher, claims[0])
            dispatcher.utter_message(
                response="utter_claim_single",
                claim=claim_label(claims[0]),
                buttons=[
                    _button("Oui, c'est celui-ci", str(claims[0]["id"])),
                    _button("Non, ce n'est pas celui-ci", NO_CLAIM),
                ],
            )
        elif claims:
            dispatcher.utter_message(
                response="utter_claim_several",
                buttons=[*buttons, _button("Aucun de ceux-là", NO_CLAIM)],
            )
        elif care_date:
            dispatcher.utter_message(
                response="utter_claim_none",
                provider=provider,
                care_date=format_french(date.fromisoformat(str(care_date))),
                buttons=[
                    *buttons,
                    _button("Corriger la date", "fix_date"),
                    _button("Corriger le professionnel", "fix_provider"),
                    _button("Envoyer sans rattacher", NO_CLAIM),
                ],
            )
        else:  # found by the provider alone (the date was not remembered): nothing under it
            dispatcher.utter_message(
                response="utter_claim_none_provider",
                provider=provider,
                buttons=[
                    *buttons,
                    _button("Corriger le professionnel", "fix_provider"),
                    _button("Indiquer la date", "fix_date"),
                ],
            )
        return [SlotSet("claim_candidates", [claim_candidate(c) for c in offered])]


async def _claims_meant(
    who: Caller | None, care_date: str | None, provider: str | None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The claims that fit the date and the provider, and, when none does, those near the date
    (or the latest ones, when the date is unknown) to offer instead."""
    api = get_api()
    claims = await api.match_claims(who, care_date=care_date, provider=provider)
    if claims:
        return claims, []
    if care_date:
        return [], await api.match_claims(who, care_date=care_date, provider=None)
    return [], await api.recent_claims(who, limit=5)


def _tell_if_reported(dispatcher: CollectingDispatcher, claim: dict[str, Any]) -> None:
    """The line already has an open report: say so before asking to confirm it."""
    report = claim.get("report")
    if report:
        dispatcher.utter_message(
            response="utter_claim_already_reported",
            reference=report["reference"],
            filed_on=format_french(date.fromisoformat(str(report["filed_on"]))),
        )


def _button(title: str, claim_choice: str) -> dict[str, str]:
    return {"title": title, "payload": f'/inform{{"claim_choice":"{claim_choice}"}}'}


class ActionAskReportConfirmed(Action):
    """Show the whole report and ask for an explicit yes before filing it."""

    def name(self) -> str:
        return "action_ask_report_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        choice = tracker.get_slot("claim_choice")
        candidates = {str(c["id"]): c["label"] for c in tracker.get_slot("claim_candidates") or []}
        dispatcher.utter_message(
            response="utter_report_summary",
            care_date_label=format_french(date.fromisoformat(str(tracker.get_slot("care_date")))),
            claim_label=candidates.get(str(choice), "aucun paiement rattaché"),
            anomaly_label=ANOMALY_LABELS.get(tracker.get_slot("anomaly_type") or "other"),
            buttons=[
                {"title": "Oui, envoyer", "payload": "/affirm"},
                {"title": "Non, corriger", "payload": "/deny"},
                {"title": "Annuler", "payload": "/cancel"},
            ],
        )
        if tracker.get_slot("report_key"):
            return []
        return [SlotSet("report_key", new_report_key(tracker))]
