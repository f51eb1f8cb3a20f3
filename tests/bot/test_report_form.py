"""The report form's validation and questions, run as the action server runs them."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from actions.api_client import ClaimsApi, set_api
from actions.report_form import ValidateReportForm, answer_question_asked_beside
from actions.report_questions import ActionAskClaimChoice
from bot.french_dates import today_in_paris
from contract.calendar import HISTORY_MONTHS, months_before
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from tests.bot.conftest import NO_DOMAIN, make_tracker, responses, sign_in, slot_events
from tests.bot.net import closed_port_url, silent_server

pytestmark = pytest.mark.anyio
TODAY = today_in_paris()
form = ValidateReportForm()


async def validate(slot: str, value: Any, **tracker_args: Any) -> tuple[dict[str, Any], list[str]]:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(**tracker_args)
    method = getattr(form, f"validate_{slot}")
    result = await method(value, dispatcher, tracker, {})
    return result, responses(dispatcher)


async def test_without_a_token_the_form_asks_to_sign_in(domain: DomainDict) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        text="signaler un remboursement suspect",
        intent="report_suspicious_reimbursement",
        token=None,
    )
    events = await form.run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_login_required"]
    assert slot_events(events)["requested_slot"] is None
    assert await form.required_slots([], dispatcher, tracker, domain) == []


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ((TODAY - timedelta(days=5)).strftime("%d/%m/%Y"), (TODAY - timedelta(days=5))),
        ("hier", TODAY - timedelta(days=1)),
        ((TODAY - timedelta(days=9)).isoformat(), TODAY - timedelta(days=9)),
    ],
)
async def test_care_date_is_stored_as_iso(typed: str, expected: date) -> None:
    result, said = await validate("care_date", typed, token="t")
    assert result == {"care_date": expected.isoformat()}
    assert said == []


@pytest.mark.parametrize(
    ("typed", "response"),
    [
        ((TODAY + timedelta(days=3)).strftime("%d/%m/%Y"), "utter_care_date_in_future"),
        ((TODAY - timedelta(days=900)).isoformat(), "utter_care_date_too_old"),
        ("la semaine dernière", "utter_care_date_not_understood"),
        ("je ne sais plus", "utter_care_date_not_understood"),
    ],
)
async def test_bad_care_dates_are_refused_and_asked_again(typed: str, response: str) -> None:
    result, said = await validate("care_date", typed, token="t")
    assert result == {"care_date": None}
    assert said == [response]


async def test_the_history_starts_where_the_apis_does() -> None:
    first = months_before(TODAY, HISTORY_MONTHS)
    result, said = await validate("care_date", first.isoformat(), token="t")
    assert result == {"care_date": first.isoformat()} and said == []
    result, said = await validate("care_date", (first - timedelta(days=1)).isoformat(), token="t")
    assert result == {"care_date": None} and said == ["utter_care_date_too_old"]


async def test_correcting_the_date_drops_the_claim_and_confirmation() -> None:
    before, after = TODAY - timedelta(days=10), TODAY - timedelta(days=9)
    result, _ = await validate(
        "care_date",
        after.isoformat(),
        token="t",
        previous={"care_date": before.isoformat(), "claim_choice": "4", "report_confirmed": None},
    )
    assert result["care_date"] == after.isoformat()
    assert result["claim_choice"] is None and result["claim_candidates"] is None


async def test_a_name_met_in_the_description_does_not_replace_the_provider() -> None:
    result, _ = await validate(
        "provider",
        "Dr Garnier",
        token="t",
        slots={"requested_slot": "act_description"},
        previous={"provider": "Dr Dupont"},
    )
    assert result == {"provider": "Dr Dupont"}


async def test_provider_correction_at_the_summary_is_taken() -> None:
    result, _ = await validate(
        "provider",
        "Dupont",
        token="t",
        slots={"requested_slot": "report_confirmed"},
        previous={"provider": "Dr Martin"},
    )
    assert result["provider"] == "Dupont"
    assert result["claim_choice"] is None


async def test_opening_request_without_details_asks_for_the_description() -> None:
    result, said = await validate(
        "act_description",
        "je veux signaler un remboursement suspect du Dr Martin",
        token="t",
        slots={"requested_slot": None},
        entities=[{"entity": "provider", "value": "Dr Martin", "start": 45, "end": 54}],
    )
    assert result == {"act_description": None}
    assert said == []


async def test_opening_story_is_the_description_and_gives_the_anomaly() -> None:
    story = "le dentiste m'a facturé une couronne alors que j'ai juste eu un détartrage"
    result, _ = await validate("act_description", story, token="t", slots={"requested_slot": None})
    assert result == {"act_description": story, "anomaly_type": "billed_more_than_performed"}


@pytest.mark.parametrize(
    ("description", "anomaly"),
    [
        ("la séance de kiné a été facturée deux fois le même jour", "billed_twice"),
        ("je n'ai jamais pris cette ambulance", "not_performed"),
        ("je ne connais pas ce médecin", "unknown_provider"),
        ("il y a quelque chose qui cloche sur cette ligne", None),
    ],
)
async def test_anomaly_type_is_inferred_when_clear(description: str, anomaly: str | None) -> None:
    result, _ = await validate(
        "act_description", description, token="t", slots={"requested_slot": "act_description"}
    )
    assert result["act_description"] == description
    assert result.get("anomaly_type") == anomaly


async def test_too_short_description_is_asked_again() -> None:
    result, said = await validate(
        "act_description", "faux", token="t", slots={"requested_slot": "act_description"}
    )
    assert result == {"act_description": None}
    assert said == ["utter_description_too_short"]


async def test_no_at_the_summary_asks_what_to_correct() -> None:
    result, _ = await validate(
        "report_confirmed", False, token="t", slots={"requested_slot": "report_confirmed"}
    )
    assert result == {"report_confirmed": None, "correction_pending": True}


async def test_no_with_a_new_date_is_the_correction_itself() -> None:
    old, new = (TODAY - timedelta(days=10)).isoformat(), (TODAY - timedelta(days=9)).isoformat()
    result, _ = await validate(
        "report_confirmed",
        False,
        token="t",
        slots={"requested_slot": "report_confirmed"},
        previous={"care_date": old},
        candidates={"care_date": new, "report_confirmed": False},
    )
    assert result == {"report_confirmed": None}


async def test_choosing_what_to_correct_asks_it_again() -> None:
    result, _ = await validate("correction_field", "provider", token="t")
    assert result["provider"] is None and result["correction_field"] is None
    result, _ = await validate("correction_field", "c'est la date qui est fausse", token="t")
    assert result["care_date"] is None


async def test_required_slots_follow_the_correction(domain: DomainDict) -> None:
    tracker = make_tracker(token="t", slots={"correction_pending": True})
    slots = await form.required_slots([], CollectingDispatcher(), tracker, domain)
    assert slots[-2:] == ["correction_field", "report_confirmed"]


# --- finding the claim, against the real API ----------------------------------------------


def _scenario_claim(claims: list[dict[str, Any]]) -> dict[str, Any]:
    """The demo's suspicious crown billed by Dr Paul Dupont (assure1)."""
    return next(c for c in claims if c["act"]["code"] == "HBLD036")


async def ask_claim(
    api: ClaimsApi | None, chat: str | None, care_date: str, provider: str
) -> tuple[CollectingDispatcher, dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        token=chat,
        slots={"care_date": care_date, "provider": provider, "requested_slot": "claim_choice"},
    )
    events = await ActionAskClaimChoice().run(dispatcher, tracker, NO_DOMAIN)
    return dispatcher, slot_events(events)


async def test_one_match_is_shown_for_confirmation(
    api: ClaimsApi, chat: str, claims: list[dict[str, Any]]
) -> None:
    crown = _scenario_claim(claims)
    dispatcher, slots = await ask_claim(api, chat, crown["care_date"], "docteur dupont")
    # The demo's crown is already reported: that is said first (tests/bot/test_date_lookup.py).
    assert responses(dispatcher) == ["utter_claim_already_reported", "utter_claim_single"]
    message = dispatcher.messages[1]
    assert "Dr Paul Dupont" in message["claim"] and "couronne" in message["claim"]
    assert "€" in message["claim"]
    assert message["buttons"][0]["payload"] == f'/inform{{"claim_choice":"{crown["id"]}"}}'
    assert [c["id"] for c in slots["claim_candidates"]] == [crown["id"]]


async def test_several_matches_are_offered_as_buttons(
    api: ClaimsApi, api_url: str, token: str, chat: str
) -> None:
    admin = sign_in(api_url, "admin")
    me = httpx.get(f"{api_url}/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    day = (TODAY - timedelta(days=40)).isoformat()
    for provider_id in (8, 9):  # the demo's two pharmacies
        created = httpx.post(
            f"{api_url}/api/v1/claims",
            headers={"Authorization": f"Bearer {admin}"},
            json={
                "policyholder_id": me.json()["id"],
                "provider_id": provider_id,
                "act_code": "PH7",
                "care_date": day,
                "amount_billed": "18.40",
                "amount_reimbursed": "11.96",
            },
        )
        assert created.status_code == 201, created.text
    dispatcher, slots = await ask_claim(api, chat, day, "la pharmacie")
    message = dispatcher.messages[0]
    assert message["response"] == "utter_claim_several"
    assert len(slots["claim_candidates"]) >= 2
    assert message["buttons"][-1]["title"] == "Aucun de ceux-là"


async def test_no_match_offers_corrections_and_filing_without_a_claim(
    api: ClaimsApi, chat: str
) -> None:
    dispatcher, _ = await ask_claim(
        api, chat, (TODAY - timedelta(days=700)).isoformat(), "Dr Personne"
    )
    message = dispatcher.messages[0]
    assert message["response"] == "utter_claim_none"
    titles = [b["title"] for b in message["buttons"]]
    assert titles[-3:] == [
        "Corriger la date",
        "Corriger le professionnel",
        "Envoyer sans rattacher",
    ]


@pytest.mark.parametrize("backend", ["refused", "silent"])
async def test_unreachable_or_hanging_api_is_told_and_offers_to_go_on(
    backend: str, chat: str
) -> None:
    if backend == "refused":
        set_api(ClaimsApi(closed_port_url()))
        dispatcher, slots = await ask_claim(None, chat, TODAY.isoformat(), "Dr Martin")
    else:
        with silent_server() as url:
            set_api(ClaimsApi(url, timeout=httpx.Timeout(0.5)))
            dispatcher, slots = await ask_claim(None, chat, TODAY.isoformat(), "Dr Martin")
    set_api(None)
    assert responses(dispatcher) == ["utter_claims_unavailable"]
    assert slots["claim_candidates"] == []


OFFERED = [{"id": 11, "label": "a"}, {"id": 12, "label": "b"}, {"id": 13, "label": "c"}]


@pytest.mark.parametrize(
    ("typed", "chosen"),
    [
        ("le premier", "11"),
        ("c'est la deuxième ligne", "12"),
        ("le 2e", "12"),
        ("le dernier", "13"),
        ("le troisième, le plombage", "13"),
    ],
)
async def test_a_rank_among_the_offered_payments_chooses_one(typed: str, chosen: str) -> None:
    tracker = make_tracker(
        text=typed, slots={"requested_slot": "claim_choice", "claim_candidates": OFFERED}
    )
    assert await form.extract_claim_choice(CollectingDispatcher(), tracker, NO_DOMAIN) == {
        "claim_choice": chosen
    }


@pytest.mark.parametrize("typed", ["le cinquième", "le premier ou le deuxième", "Dr Martin"])
async def test_no_rank_or_an_impossible_one_chooses_nothing(typed: str) -> None:
    tracker = make_tracker(
        text=typed, slots={"requested_slot": "claim_choice", "claim_candidates": OFFERED}
    )
    assert await form.extract_claim_choice(CollectingDispatcher(), tracker, NO_DOMAIN) == {}


async def test_a_rank_means_nothing_when_no_payment_is_offered() -> None:
    tracker = make_tracker(text="le premier", slots={"requested_slot": "provider"})
    assert await form.extract_claim_choice(CollectingDispatcher(), tracker, NO_DOMAIN) == {}


@pytest.mark.parametrize(
    ("typed", "asked", "answer"),
    [
        ("arnaque ? jamais eu ce soin", "ask_phishing", "utter_faq_phishing"),
        ("vous êtes un robot ? un kiné inconnu est payé", "bot_challenge", "utter_iamabot"),
    ],
)
async def test_a_question_beside_the_report_is_answered_first(
    typed: str, asked: str, answer: str
) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text=typed, intent="report_suspicious_reimbursement")
    tracker.latest_message["also_asked"] = asked
    answer_question_asked_beside(dispatcher, tracker)
    assert responses(dispatcher) == [answer]


RECAP = {"requested_slot": "report_confirmed"}
CHOSEN = {"care_date": "2026-03-12", "provider": "le dentiste", "claim_choice": "12"}


@pytest.mark.parametrize("typed", ["le", "chez le", "pas ça", "12"])
async def test_a_provider_made_of_small_words_names_nobody(typed: str) -> None:
    dispatcher = CollectingDispatcher()
    asked = make_tracker(text=typed, slots={"requested_slot": "provider"})
    assert await form.validate_provider(typed, dispatcher, asked, NO_DOMAIN) == {"provider": None}
    assert responses(dispatcher) == ["utter_provider_not_understood"]
    # Found in a correction at the recap, it changes nothing: the chosen payment stays.
    at_recap = make_tracker(text=f"non {typed}", slots=RECAP, previous=CHOSEN)
    kept = await form.validate_provider(typed, CollectingDispatcher(), at_recap, NO_DOMAIN)
    assert kept == {"provider": "le dentiste"}


async def test_a_yes_that_names_another_provider_is_a_correction_not_a_confirmation() -> None:
    tracker = make_tracker(
        text="oui mais c'était le kiné Bernard",
        intent="affirm",
        slots={**RECAP, **CHOSEN, "provider": "le kiné Bernard"},
        previous=CHOSEN,
        candidates={"provider": "le kiné Bernard", "report_confirmed": True},
    )
    result = await form.validate_report_confirmed(True, CollectingDispatcher(), tracker, NO_DOMAIN)
    assert result == {"report_confirmed": None}
    plain = make_tracker(
        text="oui", intent="affirm", slots={**RECAP, **CHOSEN}, previous=CHOSEN,
        candidates={"report_confirmed": True}, events=[SHOWN_RECAP],
    )  # fmt: skip
    confirmed = await form.validate_report_confirmed(True, CollectingDispatcher(), plain, NO_DOMAIN)
    assert confirmed == {"report_confirmed": True}


SHOWN_RECAP = {"event": "bot", "text": "Voici votre signalement…", "timestamp": 0.5,
               "metadata": {"utter_action": "utter_report_summary"}}  # fmt: skip
NOT_UNDERSTOOD = {"event": "bot", "text": "Je n'ai pas bien compris.", "timestamp": 0.7,
                  "metadata": {"utter_action": "utter_default"}}  # fmt: skip


async def test_a_yes_files_only_the_recap_it_answers() -> None:
    """After the recap, something not understood, then « oui »: the recap is shown again
    before anything is filed, never the one the person may have meant to correct."""
    tracker = make_tracker(
        text="oui", intent="affirm", slots={**RECAP, **CHOSEN}, previous=CHOSEN,
        candidates={"report_confirmed": True}, events=[SHOWN_RECAP, NOT_UNDERSTOOD],
    )  # fmt: skip
    result = await form.validate_report_confirmed(True, CollectingDispatcher(), tracker, NO_DOMAIN)
    assert result == {"report_confirmed": None}


@pytest.mark.parametrize(
    ("typed", "asked_again"),
    [
        ("c'est pas le bon, c'était chez le kiné", "provider"),
        ("non la date n'est pas la bonne", "care_date"),
        ("l'acte décrit n'est pas le bon", "act_description"),
    ],
)
async def test_a_correction_that_names_what_is_wrong_asks_it_again(
    typed: str, asked_again: str
) -> None:
    tracker = make_tracker(
        text=typed, slots={**RECAP, **CHOSEN}, previous=CHOSEN, events=[SHOWN_RECAP],
        candidates={"report_confirmed": False},
    )  # fmt: skip
    result = await form.validate_report_confirmed(False, CollectingDispatcher(), tracker, NO_DOMAIN)
    assert result[asked_again] is None and result["report_confirmed"] is None
    assert result.get("correction_pending") is None
    if asked_again in ("care_date", "provider"):
        assert result["claim_choice"] is None  # the payment chosen for the old value is dropped


async def test_a_bare_no_to_the_recap_asks_what_to_correct() -> None:
    tracker = make_tracker(
        text="non", intent="deny", slots={**RECAP, **CHOSEN}, previous=CHOSEN,
        candidates={"report_confirmed": False}, events=[SHOWN_RECAP],
    )  # fmt: skip
    result = await form.validate_report_confirmed(False, CollectingDispatcher(), tracker, NO_DOMAIN)
    assert result == {"report_confirmed": None, "correction_pending": True}
