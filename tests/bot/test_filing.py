"""Filing a confirmed report through the real API: once, even after a failure or a timeout."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from actions.api_client import ClaimsApi, set_api
from actions.filing import ActionAddComplement, ActionCancelReport, ActionFileReport
from actions.followup import ActionReportStatus
from bot.french_dates import today_in_paris
from rasa_sdk.executor import CollectingDispatcher

from tests.bot.conftest import (
    NO_DOMAIN,
    chat_token,
    make_tracker,
    responses,
    sign_in,
    slot_events,
)
from tests.bot.net import closed_port_url, slow_proxy

pytestmark = pytest.mark.anyio
TODAY = today_in_paris()

CONVERSATION = [
    {"event": "session_started", "timestamp": 0.5},
    {"event": "user", "text": "je veux signaler un remboursement suspect", "timestamp": 1.0},
    {"event": "bot", "text": "À quelle date les soins ont-ils été facturés ?", "timestamp": 1.1},
    {"event": "user", "text": "mon mdp est [mot de passe masqué]", "timestamp": 1.2},
    {
        "event": "bot",
        "text": "Voulez-vous l'envoyer ?",
        "timestamp": 1.3,
        "data": {"buttons": [{"title": "Oui, envoyer", "payload": "/affirm"}]},
    },
]  # then the user's click on « Oui, envoyer » (/affirm), added by make_tracker


def confirmed_slots(claim: dict[str, Any] | None, **extra: Any) -> dict[str, Any]:
    return {
        "care_date": claim["care_date"] if claim else (TODAY - timedelta(days=3)).isoformat(),
        "provider": "docteur dupont",
        "claim_choice": str(claim["id"]) if claim else "none",
        "act_description": (
            "On m'a facturé une couronne <b>jamais posée</b>, j'ai eu un détartrage."
        ),
        "anomaly_type": "billed_more_than_performed",
        "report_confirmed": True,
        **extra,
    }


async def file(
    chat: str | None, slots: dict[str, Any], sender: str = "assure-1-filing"
) -> tuple[CollectingDispatcher, dict[str, Any]]:
    """`action_file_report` for the holder of the chat token `chat` (None: not signed in)."""
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        token=chat,
        slots=slots,
        events=CONVERSATION,
        active_loop=None,
        sender_id=sender,
        text="/affirm",
        intent="affirm",
    )
    events = await ActionFileReport().run(dispatcher, tracker, NO_DOMAIN)
    return dispatcher, slot_events(events)


def reports_of(api_url: str, token: str) -> list[dict[str, Any]]:
    response = httpx.get(
        f"{api_url}/api/v1/reports",
        params={"limit": 100},
        headers={"Authorization": f"Bearer {token}"},
    )
    return list(response.json()["items"])


def crown(claims: list[dict[str, Any]]) -> dict[str, Any]:
    """The demo's suspicious crown: already reported (it opens the agents' console)."""
    return next(c for c in claims if c["act"]["code"] == "HBLD036")


def unreported(claims: list[dict[str, Any]], index: int) -> dict[str, Any]:
    """A line nobody reported yet, a different one for each test (one open report per line)."""
    return [c for c in claims if c["act"]["code"] != "HBLD036"][index]


async def test_a_confirmed_report_is_filed_with_its_claim_and_transcript(
    api: ClaimsApi, api_url: str, token: str, chat: str, claims: list[dict[str, Any]]
) -> None:
    line = unreported(claims, 0)
    dispatcher, slots = await file(chat, confirmed_slots(line, report_key="k-happy"))
    message = dispatcher.messages[0]
    assert message["response"] == "utter_report_filed"
    reference = message["reference"]
    assert reference.startswith("SIG-")
    assert slots["report_reference"] == reference
    assert all(slots[s] is None for s in ("care_date", "provider", "report_key"))
    stored = next(r for r in reports_of(api_url, token) if r["reference"] == reference)
    assert stored["claim_id"] == line["id"]
    assert stored["anomaly_type"] == "billed_more_than_performed"
    assert stored["description"].endswith("j'ai eu un détartrage.")
    assert [t["sender"] for t in stored["transcript"]] == ["user", "bot", "user", "bot", "user"]
    assert stored["transcript"][-1]["text"] == "Oui, envoyer"  # the button, not its payload
    assert "[mot de passe masqué]" in stored["transcript"][2]["text"]


async def test_filing_twice_with_the_same_key_makes_one_report(
    api: ClaimsApi, api_url: str, token: str, chat: str, claims: list[dict[str, Any]]
) -> None:
    before = len(reports_of(api_url, token))
    line = unreported(claims, 1)
    first, _ = await file(chat, confirmed_slots(line, report_key="k-twice"))
    second, _ = await file(chat, confirmed_slots(line, report_key="k-twice"))
    assert first.messages[0]["reference"] == second.messages[0]["reference"]
    assert len(reports_of(api_url, token)) == before + 1


async def test_api_down_keeps_everything_and_a_retry_files_once(
    api_url: str, token: str, chat: str, claims: list[dict[str, Any]]
) -> None:
    slots = confirmed_slots(unreported(claims, 2))
    set_api(ClaimsApi(closed_port_url()))
    dispatcher, kept = await file(chat, slots)
    assert responses(dispatcher) == ["utter_report_filing_failed"]
    assert kept["report_pending"] is True
    key = kept["report_key"]
    assert key
    # Back up: the user says « oui » again; the kept key files it once.
    before = len(reports_of(api_url, token))
    set_api(ClaimsApi(api_url))
    for _ in range(2):
        dispatcher, after = await file(chat, {**slots, "report_key": key, "report_pending": True})
        assert responses(dispatcher) == ["utter_report_filed"]
        assert after["report_pending"] is None
    assert len(reports_of(api_url, token)) == before + 1
    set_api(None)


async def test_slow_api_that_did_file_is_not_filed_twice(
    api_url: str, token: str, chat: str, claims: list[dict[str, Any]]
) -> None:
    slots = confirmed_slots(unreported(claims, 3), report_key="k-slow")
    before = len(reports_of(api_url, token))
    with slow_proxy(api_url, delay=1.5) as proxy:
        set_api(ClaimsApi(proxy, timeout=httpx.Timeout(0.5)))
        dispatcher, kept = await file(chat, slots)
    assert responses(dispatcher) == ["utter_report_filing_failed"]
    assert kept["report_key"] == "k-slow"
    set_api(ClaimsApi(api_url))
    dispatcher, _ = await file(chat, {**slots, "report_pending": True})
    set_api(None)
    assert responses(dispatcher) == ["utter_report_filed"]
    assert len(reports_of(api_url, token)) == before + 1


async def test_someone_elses_claim_is_refused_in_french(
    api: ClaimsApi, api_url: str, token: str, chat: str
) -> None:
    other = sign_in(api_url, "assure2")
    their_claim = httpx.get(
        f"{api_url}/api/v1/claims", headers={"Authorization": f"Bearer {other}"}
    ).json()["items"][0]
    dispatcher, slots = await file(chat, confirmed_slots(their_claim, report_key="k-other"))
    assert responses(dispatcher) == ["utter_report_rejected"]
    assert "introuvable" in dispatcher.messages[0]["reason"]
    assert slots["care_date"] is None


async def test_nothing_is_filed_without_confirmation(api: ClaimsApi, chat: str) -> None:
    dispatcher, slots = await file(chat, confirmed_slots(None, report_confirmed=None))
    # Nothing said, nothing filed; only how the date was being looked up is forgotten.
    assert dispatcher.messages == [] and slots == {"care_date_lookup": None}


async def test_no_token_files_nothing(api: ClaimsApi, api_url: str, token: str) -> None:
    before = len(reports_of(api_url, token))
    dispatcher, slots = await file(None, confirmed_slots(None))
    assert responses(dispatcher) == ["utter_session_expired"]
    assert slots["report_pending"] is True
    assert len(reports_of(api_url, token)) == before


async def test_cancel_clears_the_report() -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionCancelReport().run(
        dispatcher, make_tracker(slots=confirmed_slots(None)), NO_DOMAIN
    )
    assert responses(dispatcher) == ["utter_report_cancelled"]
    assert all(value is None for value in slot_events(events).values())


async def test_follow_up_lists_the_reports_with_their_status(
    api: ClaimsApi, api_url: str, claims: list[dict[str, Any]]
) -> None:
    chat = chat_token(api_url, sign_in(api_url, "assure3"))
    dispatcher = CollectingDispatcher()
    await ActionReportStatus().run(
        dispatcher, make_tracker(token=chat, active_loop=None), NO_DOMAIN
    )
    assert responses(dispatcher) == ["utter_report_status_none"]
    await file(chat, confirmed_slots(None, report_key="k-status"), sender="assure-3-x")
    dispatcher = CollectingDispatcher()
    await ActionReportStatus().run(
        dispatcher, make_tracker(token=chat, active_loop=None), NO_DOMAIN
    )
    message = dispatcher.messages[0]
    assert message["response"] == "utter_report_status_list"
    assert "SIG-" in message["reports"] and ": Reçu" in message["reports"]


async def test_a_line_already_reported_gets_the_description_as_a_complement(
    api: ClaimsApi, api_url: str, token: str, chat: str, claims: list[dict[str, Any]]
) -> None:
    """The demo's crown has an open report: the assistant names it and offers to complete it."""
    before = reports_of(api_url, token)
    slots = confirmed_slots(crown(claims), report_key="k-again")
    dispatcher, offered = await file(chat, slots)
    assert responses(dispatcher) == ["utter_report_already_filed"]
    existing = dispatcher.messages[0]["reference"]
    assert existing in {r["reference"] for r in before}
    assert offered["complement_for"] == existing
    assert offered["act_description"] == slots["act_description"]
    assert len(reports_of(api_url, token)) == len(before)  # nothing filed twice

    for _ in range(2):  # « oui » twice (a retry): the complement is added once
        dispatcher = CollectingDispatcher()
        tracker = make_tracker(
            token=chat, slots=offered, active_loop=None, text="/affirm", intent="affirm"
        )
        done = slot_events(await ActionAddComplement().run(dispatcher, tracker, NO_DOMAIN))
        assert responses(dispatcher) == ["utter_complement_added"]
        assert done["complement_for"] is None
    report = httpx.get(
        f"{api_url}/api/v1/reports/{existing}", headers={"Authorization": f"Bearer {token}"}
    ).json()
    assert [c["text"] for c in report["complements"]] == [slots["act_description"]]
