"""The contract between the API and the assistant (`contract/`), checked in each environment.

`make test-sqlite` and `make test-postgresql` run this module in the API's environment (Python
3.11+), `make test-bot` in the assistant's (Python 3.10, Rasa): the same values and rules must
hold in both, with each side's own libraries (its PyJWT, its time-zone data), and each side must
read them from the contract instead of keeping a copy that could drift.
"""

from __future__ import annotations

import importlib.util
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jwt
import pytest

from contract import calendar, conversations, intents, reports, tokens

ROOT = Path(__file__).resolve().parents[2]
KEY = "contract-test-key-0123456789-abcdefghijklmnop"
API_SIDE = importlib.util.find_spec("fastapi") is not None
BOT_SIDE = importlib.util.find_spec("rasa_sdk") is not None
api_only = pytest.mark.skipif(not API_SIDE, reason="the API's environment only")
bot_only = pytest.mark.skipif(not BOT_SIDE, reason="the assistant's environment only")

# A chat token for policyholder 7, session « sess-1 », issued at MINTED_AT for 10 minutes and
# signed with KEY: written once by the API's environment, read by both.
MINTED_AT = 1_800_000_000
GOLDEN_CHAT_TOKEN = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI3Iiwicm9sZSI6InBvbGljeWhvbGRlciIsInR5cGUiOiJ"
    "jaGF0Iiwic2lkIjoic2Vzcy0xIiwiaWF0IjoxODAwMDAwMDAwLCJleHAiOjE4MDAwMDA2MDB9.9_kV7L021VRRlI7Lqj"
    "BzSYoln7R2rU_lQHLnvCdD1Tw"
)


def mint(token_type: str, *, subject: int = 7, seconds: int = 600, now: int | None = None) -> str:
    """A token as either side mints one: the contract's claims, signed with this side's PyJWT."""
    payload = tokens.claims(
        token_type=token_type,
        subject=subject,
        role=tokens.POLICYHOLDER_ROLE,
        session_id="sess-1",
        now=int(time.time()) if now is None else now,
        seconds=seconds,
    )
    return jwt.encode(payload, KEY, algorithm=tokens.ALGORITHM)


def signed_claims(token: str) -> dict[str, Any]:
    """The payload once the signature is checked (the contract's rules check the rest)."""
    payload: dict[str, Any] = jwt.decode(
        token,
        KEY,
        algorithms=[tokens.ALGORITHM],
        options={"verify_exp": False, "verify_iat": False, "verify_nbf": False},
    )
    return payload


# The calendar.


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 3, 15), 0, date(2026, 3, 15)),
        (date(2026, 3, 15), 27, date(2023, 12, 15)),
        (date(2026, 1, 31), 1, date(2025, 12, 31)),
        (date(2026, 3, 31), 1, date(2026, 2, 28)),
        (date(2024, 5, 31), 3, date(2024, 2, 29)),
        (date(2026, 5, 31), 3, date(2026, 2, 28)),
        (date(2026, 12, 31), 2, date(2026, 10, 31)),
        (date(2026, 7, 31), 13, date(2025, 6, 30)),
    ],
)
def test_months_before_keeps_the_day_or_the_months_end(
    day: date, months: int, expected: date
) -> None:
    assert calendar.months_before(day, months) == expected


def test_the_time_zone_is_known_here_with_french_summer_time() -> None:
    zone = ZoneInfo(calendar.TIMEZONE)
    assert datetime(2026, 1, 15, 12, tzinfo=zone).utcoffset() == timedelta(hours=1)
    assert datetime(2026, 7, 15, 12, tzinfo=zone).utcoffset() == timedelta(hours=2)


def test_the_assistant_tells_the_same_history_depth() -> None:
    domain = (ROOT / "domain.yml").read_text(encoding="utf-8")
    assert f"{calendar.HISTORY_MONTHS} derniers mois" in domain


# Tokens and conversations.


def test_a_token_minted_by_the_api_reads_the_same_here() -> None:
    found = tokens.check_claims(
        signed_claims(GOLDEN_CHAT_TOKEN),
        token_type=tokens.CHAT,
        max_seconds=tokens.CHAT_TOKEN_MAX_SECONDS,
        now=MINTED_AT + 60,
    )
    assert found == tokens.TokenClaims(
        7, tokens.POLICYHOLDER_ROLE, tokens.CHAT, "sess-1", MINTED_AT, MINTED_AT + 600
    )


def test_this_side_mints_what_the_golden_token_holds() -> None:
    assert signed_claims(mint(tokens.CHAT, now=MINTED_AT)) == signed_claims(GOLDEN_CHAT_TOKEN)


@pytest.mark.parametrize(
    ("token", "rule"),
    [
        (mint(tokens.ACCESS), "wrong token type"),
        (mint(tokens.CHAT, seconds=tokens.CHAT_TOKEN_MAX_SECONDS + 1), "lifetime longer"),
        (mint(tokens.CHAT, now=int(time.time()) + 3600), "issued in the future"),
        (mint(tokens.CHAT, now=int(time.time()) - 3600), "expired"),
        (mint(tokens.CHAT, subject=2**31), "bad subject"),
    ],
)
def test_the_rules_a_signature_cannot_check(token: str, rule: str) -> None:
    with pytest.raises(tokens.TokenRefused, match=rule):
        tokens.check_claims(
            signed_claims(token),
            token_type=tokens.CHAT,
            max_seconds=tokens.CHAT_TOKEN_MAX_SECONDS,
            now=time.time(),
        )


def test_a_conversation_name_says_whose_it_is() -> None:
    name = conversations.policyholder_conversation(7, "tab/1 <x>")
    assert name == "assure-7-tab1x"
    assert conversations.policyholder_of(name) == 7
    assert conversations.policyholder_of("anonyme-7") is None


# Each side reads the contract (no copy of its own).


@api_only
def test_the_api_reads_the_contract() -> None:
    from api.core import clock
    from api.core.config import Settings
    from api.core.security import decode_token
    from api.notifications.sink import DISPLAY_TIMEZONE
    from api.reports.limits import ReportLimits
    from api.reports.schemas import ReportCreate

    assert clock.months_before is calendar.months_before
    assert ReportCreate.model_fields["description"].metadata[0].max_length == (
        reports.DESCRIPTION_MAX
    )
    assert Settings.model_fields["claim_history_months"].default == calendar.HISTORY_MONTHS
    assert Settings.model_fields["timezone"].default == calendar.TIMEZONE
    assert ReportLimits(1, 1).timezone == calendar.TIMEZONE
    assert DISPLAY_TIMEZONE.key == calendar.TIMEZONE
    # What the action server mints, as the API checks it.
    assistant = decode_token(
        mint(tokens.ASSISTANT, seconds=tokens.ASSISTANT_TOKEN_SECONDS),
        token_type=tokens.ASSISTANT,
        key=KEY,
        max_seconds=tokens.ASSISTANT_TOKEN_SECONDS,
    )
    assert (assistant.subject, assistant.session_id) == (7, "sess-1")


@bot_only
def test_the_assistant_reads_the_contract() -> None:
    from actions import report_form
    from actions.conversation import Caller
    from actions.credentials import assistant_token
    from bot.french_dates import PARIS, find_care_date
    from bot.identity import verify_chat_token

    assert PARIS.key == calendar.TIMEZONE
    today = date(2026, 5, 31)
    found = find_care_date("il y a 3 mois", today)
    assert found is not None and found.value == calendar.months_before(today, 3)
    # The form asks a person to shorten a description longer than the API would store.
    assert vars(report_form)["DESCRIPTION_MAX"] == reports.DESCRIPTION_MAX
    identity = verify_chat_token(mint(tokens.CHAT), KEY)
    assert identity is not None
    assert (identity.policyholder_id, identity.session_id) == (7, "sess-1")
    # What the action server mints, by the rules the API applies.
    minted = tokens.check_claims(
        signed_claims(assistant_token(Caller(7, "sess-1"), KEY)),
        token_type=tokens.ASSISTANT,
        max_seconds=tokens.ASSISTANT_TOKEN_SECONDS,
        now=time.time(),
    )
    assert (minted.subject, minted.role, minted.session_id) == (7, "policyholder", "sess-1")


def test_every_intent_of_the_domain_has_a_french_label_and_definition() -> None:
    import yaml

    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    assert [i.name for i in intents.INTENTS] == domain["intents"]
    for intent in intents.INTENTS:
        assert intent.label and intent.label[0].isupper() and not intent.label.endswith(".")
        assert intent.definition.endswith(".")


def test_the_questions_answered_beside_a_report_are_the_domains() -> None:
    import yaml

    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    for intent, response in intents.QUESTIONS_ANSWERED_BESIDE.items():
        assert intent in domain["intents"] and response in domain["responses"]
