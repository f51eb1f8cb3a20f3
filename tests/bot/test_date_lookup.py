"""Someone who does not remember the date of care is never asked it more than twice: after one
failed answer the payment is found another way (issue 17). Against the real API."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from actions.api_client import ClaimsApi
from actions.date_lookup import GAVE_UP, LOOKUP_SLOT, OTHER_WAY, RETRY
from actions.filing import ActionFileReport
from actions.report_form import ValidateReportForm
from actions.report_questions import ActionAskClaimChoice
from actions.slots import NO_CLAIM
from bot.french_dates import today_in_paris
from contract.reports import REPORT_SLOTS
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from tests.bot.conftest import NO_DOMAIN, make_tracker, responses, slot_events
from tests.bot.stack import Assistant
from tests.bot.test_end_to_end import Conversation

pytestmark = pytest.mark.anyio
TODAY = today_in_paris()
form = ValidateReportForm()
ORDER = ["care_date", "provider", "claim_choice", "act_description", "anomaly_type"]


async def answer_date(
    typed: str, chat: str, **slots: Any
) -> tuple[dict[str, Any], CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(token=chat, slots={"requested_slot": "care_date", **slots})
    return await form.validate_care_date(typed, dispatcher, tracker, NO_DOMAIN), dispatcher


async def required(**slots: Any) -> list[str]:
    tracker = make_tracker(token="t", slots=slots)
    return await form.required_slots([], CollectingDispatcher(), tracker, NO_DOMAIN)


@pytest.mark.parametrize(
    "typed", ["je ne sais plus", "je ne sais plus, la semaine dernière je crois"]
)
async def test_a_first_failed_answer_offers_the_recent_payments_instead(
    typed: str, api: ClaimsApi, api_url: str, token: str, chat: str
) -> None:
    result, dispatcher = await answer_date(typed, chat)
    assert responses(dispatcher) == ["utter_care_date_other_way", "utter_recent_payments"]
    assert result["care_date"] is None and result[LOOKUP_SLOT] == OTHER_WAY
    listed = httpx.get(
        f"{api_url}/api/v1/claims",
        params={"limit": 4},
        headers={"Authorization": f"Bearer {token}"},
    )
    latest = listed.json()["items"]
    assert len(latest) == 4
    buttons = dispatcher.messages[1]["buttons"]
    assert [b["payload"] for b in buttons] == [
        f'/inform{{"claim_choice":"{c["id"]}"}}' for c in latest
    ]
    kept = result["claim_candidates"]
    assert [(c["care_date"], c["provider"]) for c in kept] == [
        (c["care_date"], c["provider"]["name"]) for c in latest
    ]
    # Then the provider is asked, the payments next, and the date only if none of them is it.
    assert (await required(**{LOOKUP_SLOT: OTHER_WAY}))[:3] == [
        "provider",
        "claim_choice",
        "care_date",
    ]


async def test_a_date_in_the_future_says_why_then_goes_another_way(
    api: ClaimsApi, chat: str
) -> None:
    future = (TODAY + timedelta(days=30)).strftime("%d/%m/%Y")
    result, dispatcher = await answer_date(future, chat, provider="Dr Paul Dupont")
    # The provider is known: its payments are searched next, no recent list is needed.
    assert responses(dispatcher) == ["utter_care_date_in_future", "utter_care_date_other_way"]
    assert result == {"care_date": None, LOOKUP_SLOT: OTHER_WAY}


async def test_a_recent_payment_chosen_gives_the_date_and_the_provider(
    claims: list[dict[str, Any]],
) -> None:
    line = claims[0]
    candidate = {
        "id": line["id"],
        "label": "x",
        "care_date": line["care_date"],
        "provider": line["provider"]["name"],
    }
    payload = f'/inform{{"claim_choice":"{line["id"]}"}}'
    tracker = make_tracker(
        token="t",
        text=payload,
        entities=[{"entity": "claim_choice", "value": str(line["id"])}],
        previous={LOOKUP_SLOT: OTHER_WAY, "claim_candidates": [candidate]},
        slots={"requested_slot": "provider"},
        candidates={"provider": payload, "claim_choice": str(line["id"])},
    )
    dispatcher = CollectingDispatcher()
    provider = await form.validate_provider(payload, dispatcher, tracker, NO_DOMAIN)
    chosen = await form.validate_claim_choice(str(line["id"]), dispatcher, tracker, NO_DOMAIN)
    assert provider == {"provider": line["provider"]["name"]}
    assert chosen == {
        "claim_choice": str(line["id"]),
        "care_date": line["care_date"],
        "provider": line["provider"]["name"],
    }
    assert dispatcher.messages == []


async def test_none_of_them_asks_the_date_a_second_and_last_time(domain: DomainDict) -> None:
    tracker = make_tracker(token="t", slots={LOOKUP_SLOT: OTHER_WAY, "provider": "Dr X"})
    dispatcher = CollectingDispatcher()
    result = await form.validate_claim_choice(NO_CLAIM, dispatcher, tracker, NO_DOMAIN)
    assert result == {"claim_choice": None, "claim_candidates": None, LOOKUP_SLOT: RETRY}
    assert (await required(**{LOOKUP_SLOT: RETRY}))[:3] == ORDER[:3]
    # The second question is not the first one again: it says where the date is written.
    variants = domain["responses"]["utter_ask_care_date"]
    retry = next(v for v in variants if v.get("condition"))
    assert retry["condition"] == [{"type": "slot", "name": LOOKUP_SLOT, "value": RETRY}]
    assert "Mes paiements" in retry["text"] and retry["text"] != variants[-1]["text"]
    fix_date = await form.validate_claim_choice("fix_date", dispatcher, tracker, NO_DOMAIN)
    assert fix_date[LOOKUP_SLOT] == RETRY and fix_date["care_date"] is None


@pytest.mark.parametrize("lookup", [OTHER_WAY, RETRY])
async def test_a_second_failed_answer_ends_the_form_without_a_third_question(
    lookup: str, chat: str
) -> None:
    result, dispatcher = await answer_date("aucune idée", chat, **{LOOKUP_SLOT: lookup})
    assert responses(dispatcher) == ["utter_care_date_give_up"]
    assert result[LOOKUP_SLOT] == GAVE_UP
    assert all(result[slot] is None for slot in REPORT_SLOTS if slot != LOOKUP_SLOT)
    assert await required(**{LOOKUP_SLOT: GAVE_UP}) == []
    # The form has ended: the next report starts from the beginning.
    tracker = make_tracker(token="t", slots={LOOKUP_SLOT: GAVE_UP}, active_loop=None)
    events = await ActionFileReport().run(CollectingDispatcher(), tracker, NO_DOMAIN)
    assert slot_events(events) == {LOOKUP_SLOT: None}


async def test_payments_are_found_by_the_provider_alone(
    api: ClaimsApi, chat: str, claims: list[dict[str, Any]]
) -> None:
    crown = next(c for c in claims if c["act"]["code"] == "HBLD036")
    tracker = make_tracker(
        token=chat,
        slots={
            "provider": "docteur dupont",
            "requested_slot": "claim_choice",
            LOOKUP_SLOT: OTHER_WAY,
        },
    )
    dispatcher = CollectingDispatcher()
    events = await ActionAskClaimChoice().run(dispatcher, tracker, NO_DOMAIN)
    offered = [c["id"] for c in slot_events(events)["claim_candidates"]]
    assert crown["id"] in offered
    assert all(c["provider"]["name"] == "Dr Paul Dupont" for c in claims if c["id"] in offered)


async def test_an_unknown_provider_without_a_date_offers_the_latest_payments(
    api: ClaimsApi, chat: str
) -> None:
    tracker = make_tracker(
        token=chat,
        slots={"provider": "Dr Personne Inconnue", "requested_slot": "claim_choice"},
    )
    dispatcher = CollectingDispatcher()
    await ActionAskClaimChoice().run(dispatcher, tracker, NO_DOMAIN)
    message = dispatcher.messages[0]
    assert message["response"] == "utter_claim_none_provider"
    titles = [b["title"] for b in message["buttons"]]
    assert titles[-2:] == ["Corriger le professionnel", "Indiquer la date"]
    assert len(titles) > 2  # the latest payments come first


async def test_a_line_already_reported_is_said_so_before_it_is_confirmed(
    api: ClaimsApi, api_url: str, token: str, chat: str, claims: list[dict[str, Any]]
) -> None:
    line = [c for c in claims if c["act"]["code"] != "HBLD036"][7]  # no other test's line
    filed = httpx.post(
        f"{api_url}/api/v1/reports",
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "lookup-already-1"},
        json={
            "claim_id": line["id"],
            "care_date": line["care_date"],
            "provider_name": line["provider"]["name"],
            "description": "je n'ai jamais eu ce soin chez ce professionnel",
            "anomaly_type": "not_performed",
        },
    )
    assert filed.status_code in (200, 201), filed.text
    reference = filed.json()["reference"]
    tracker = make_tracker(
        token=chat,
        slots={
            "care_date": line["care_date"],
            "provider": line["provider"]["name"],
            "requested_slot": "claim_choice",
        },
    )
    dispatcher = CollectingDispatcher()
    await ActionAskClaimChoice().run(dispatcher, tracker, NO_DOMAIN)
    said = responses(dispatcher)
    assert said[:2] == ["utter_claim_already_reported", "utter_claim_single"]
    assert dispatcher.messages[0]["reference"] == reference
    assert dispatcher.messages[1]["buttons"][1]["title"] == "Non, ce n'est pas celui-ci"


# --- the whole conversation, through Rasa ------------------------------------------------


def test_a_forgotten_date_is_asked_twice_at_most_then_points_to_the_payments(
    assistant: Assistant, chat: str
) -> None:
    conversation = Conversation(assistant, chat, "e2e-date-forgotten")
    said = [conversation.text(conversation.say("je veux signaler un remboursement suspect"))]
    said.append(
        conversation.text(conversation.say("je ne sais plus, la semaine dernière je crois"))
    )
    assert "retrouvons ce paiement autrement" in said[-1]
    assert "Quel professionnel" in said[-1]  # the next question is another one
    said.append(conversation.text(conversation.say("docteur personne inconnue")))
    assert "aucun remboursement au nom de" in said[-1]
    said.append(conversation.text(conversation.say('/inform{"claim_choice":"fix_date"}')))
    assert "Sans la date" in said[-1]  # the second and last time, saying where it is written
    said.append(conversation.text(conversation.say("je ne sais pas")))
    assert "je ne vais pas vous la redemander" in said[-1]
    asked = [text for text in said if "Quelle date figure" in text or "Sans la date" in text]
    assert len(asked) == 2
    # The form is over: a new report starts from the first question again.
    again = conversation.text(conversation.say("je veux signaler un remboursement suspect"))
    assert "Quelle date figure sur la ligne" in again


def test_a_forgotten_date_is_found_from_a_recent_payment(assistant: Assistant, chat: str) -> None:
    conversation = Conversation(assistant, chat, "e2e-date-recent")
    conversation.say("je veux signaler un remboursement suspect")
    offered = conversation.say("je ne sais pas")
    payload = next(b["payload"] for m in offered for b in m.get("buttons", []))
    answer = conversation.text(conversation.say(payload))
    assert "Décrivez" in answer  # date and provider came with the payment: not asked
