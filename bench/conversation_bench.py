"""Whole conversations with the assistant (bot environment): does a report end on the right line?

    PYTHONPATH=. .venv-bot/bin/python -m bench.conversation_bench [--only ID] [--verbose]

Starts the real API with one policyholder per conversation of `bench/conversations.yml`
(`bench.conversation_people`, after the demo seed) and the real assistant (`tests/bot/stack.py`),
then plays each conversation through the REST channel with the person's chat token. Each
conversation ends filed on the right claim, on a wrong one, without a claim, or with nothing
filed, as the person's reports read through the API say. Prints a French summary, the failures
and the turns' latency; writes var/bench-conversations.json.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx

os.environ["RASA_TELEMETRY_ENABLED"] = "false"

from bench.conversation_report import Played, Turn, report
from bench.conversation_runner import Person, Screen, question_starts
from bench.conversation_script import SCRIPT, Conversation, load
from contract.calendar import TIMEZONE
from tests.bot.conftest import chat_token, sign_in
from tests.bot.stack import ROOT, TEST_SECRET, running_api, running_assistant

OUT = ROOT / "var" / "bench-conversations.json"
# One report per person at most is expected (the caps are the API suite's business); no
# access log between the dialogues.
API_ENV = {"REPORT_DAILY_LIMIT": "100", "REPORT_WEEKLY_LIMIT": "200", "LOG_LEVEL": "WARNING"}
MAX_TURNS = 30


def claim_keys(conversation: Conversation, claims: list[dict[str, Any]]) -> dict[str, int]:
    """The id of each claim of the script: the person's claims of the same provider, act and
    quantity, matched oldest to oldest (the script forbids two claims that differ in nothing)."""
    ids: dict[str, int] = {}
    for spec in conversation.claims:
        same = [s for s in conversation.claims if (s.provider, s.act, s.quantity)
                == (spec.provider, spec.act, spec.quantity)]  # fmt: skip
        found = sorted(
            (c for c in claims if (c["provider"]["identifier"], c["act"]["code"], c["quantity"])
             == (spec.provider, spec.act, spec.quantity)),
            key=lambda c: str(c["care_date"]),
        )  # fmt: skip
        if len(found) != len(same):
            raise RuntimeError(f"{conversation.id}: the claims of {spec.key} are not in the API")
        rank = sorted(same, key=lambda s: -s.days_ago).index(spec)
        ids[spec.key] = int(found[rank]["id"])
    return ids


def classify(reports: list[dict[str, Any]], right_id: int | None) -> str:
    filed_on = [r.get("claim_id") for r in reports]
    if any(claim is not None and claim != right_id for claim in filed_on):
        return "wrong"
    if right_id is not None and right_id in filed_on:
        return "right"
    return "no_claim" if filed_on else "nothing"


def say(http: httpx.Client, url: str, sender: str, token: str, text: str, n: int) -> Any:
    response = http.post(
        f"{url}/webhooks/rest/webhook",
        json={
            "sender": sender,
            "message": text,
            "message_id": f"{sender}-{n}",
            "metadata": {"chat_token": token},
        },
    )
    if response.status_code != 200:
        return [{"text": f"(HTTP {response.status_code}) {response.text[:200]}"}]
    return response.json()


def talk(url: str, token: str, person: Person, played: Played, verbose: bool) -> None:
    """The whole conversation, turn by turn, until the person has nothing more to say."""
    screen = Screen()
    sender = f"bench-{played.id}"
    with httpx.Client(timeout=60) as http:
        for n in range(MAX_TURNS):
            said = person.next(screen)
            if said is None:
                return
            started = time.perf_counter()
            answer = say(http, url, sender, token, said.text, n)
            ms = (time.perf_counter() - started) * 1000
            turn = Turn(said.text, screen.title_of(said.text), [], ms, said.note)
            screen = Screen.of(answer if isinstance(answer, list) else [])
            turn.answer = list(screen.texts)
            played.turns.append(turn)
            played.not_understood += screen.not_understood(person.starts)
            if verbose:
                show(turn, screen)


def show(turn: Turn, screen: Screen) -> None:
    pressed = f"[bouton « {turn.button} »]" if turn.button else turn.user
    note = f"   ({turn.note})" if turn.note else ""
    print(f"  👤 {pressed}{note}")
    for text in turn.answer:
        print("  🤖 " + text.replace("\n", "\n     "))
    if screen.buttons:
        print("     boutons : " + " | ".join(title for title, _ in screen.buttons))
    print(f"     ({turn.ms:.0f} ms)")


def play(api_url: str, rasa_url: str, conversation: Conversation, verbose: bool) -> Played:
    played = Played(conversation.id, conversation.theme, conversation.expect_claim)
    access = sign_in(api_url, conversation.username)
    headers = {"Authorization": f"Bearer {access}"}
    claims = httpx.get(f"{api_url}/api/v1/claims", params={"limit": 100}, headers=headers)
    items = claims.json()["items"]
    ids = claim_keys(conversation, items)
    by_id = {int(c["id"]): date.fromisoformat(str(c["care_date"])) for c in items}
    dates = {key: by_id[claim_id] for key, claim_id in ids.items()}
    today = datetime.now(ZoneInfo(TIMEZONE)).date()
    person = Person(conversation, ids, dates, today, question_starts(ROOT / "domain.yml"))
    if verbose:
        print(f"\n— {conversation.id} ({conversation.theme})")
    try:
        talk(rasa_url, chat_token(api_url, access), person, played, verbose)
    except httpx.HTTPError as error:
        played.error = f"{type(error).__name__}: {error}"
    reports = httpx.get(f"{api_url}/api/v1/reports", params={"limit": 100}, headers=headers)
    fields = ("reference", "claim_id", "care_date", "provider_name", "anomaly_type")
    played.reports = [{k: r[k] for k in fields} for r in reports.json()["items"]]
    keys = {claim_id: key for key, claim_id in ids.items()}
    played.filed_on = [keys.get(r["claim_id"], "sans ligne") for r in played.reports]
    played.other_date = [
        keys[r["claim_id"]]
        for r in played.reports
        if r["claim_id"] in by_id and r["care_date"] != by_id[r["claim_id"]].isoformat()
    ]
    right = conversation.expect_claim or conversation.means
    played.outcome = classify(played.reports, ids[right] if right else None)
    played.passed = played.outcome == "right" if played.expected else played.outcome != "wrong"
    played.missed_offers = person.missed
    return played


def warm_up(api_url: str, rasa_url: str, conversation: Conversation) -> None:
    """One greeting first, so that no conversation pays for the assistant's first turn."""
    token = chat_token(api_url, sign_in(api_url, conversation.username))
    with httpx.Client(timeout=120) as http:
        say(http, rasa_url, "bench-warm-up", token, "bonjour", 0)


def run(conversations: list[Conversation], script: Path, verbose: bool) -> list[Played]:
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        people = ("bench.conversation_people", f"sqlite:///{workdir / 'api.db'}", str(script))
        with (
            running_api(workdir, TEST_SECRET, API_ENV, after_seed=[people]) as api_url,
            running_assistant(api_url, workdir) as assistant,
        ):
            warm_up(api_url, assistant.url, conversations[0])
            return [play(api_url, assistant.url, c, verbose) for c in conversations]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", action="append", metavar="ID", help="cette conversation")
    parser.add_argument("--verbose", "-v", action="store_true", help="affiche les dialogues")
    parser.add_argument("--script", type=Path, default=SCRIPT)
    args = parser.parse_args()
    conversations = load(args.script)
    if args.only:
        conversations = [c for c in conversations if c.id in set(args.only)]
        if not conversations:
            parser.error("aucune conversation de ce nom")
    started = time.perf_counter()
    played = run(conversations, args.script.resolve(), args.verbose)
    latencies = [turn.ms for p in played for turn in p.turns]
    summary = report(played, latencies, time.perf_counter() - started)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    data = {"summary": summary, "conversations": [asdict(p) for p in played]}
    OUT.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"\nDétail de chaque tour : {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
