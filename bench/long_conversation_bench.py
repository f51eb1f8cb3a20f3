"""One long conversation with the assistant (bot environment), issue 19: do turns slow down as
it grows? `PYTHONPATH=. .venv-bot/bin/python -m bench.long_conversation_bench [--stores
sqlite,postgresql] [--max-messages 600] [--time-limit 900] [--verbose]`

Per tracker store (SQLite file; throwaway PostgreSQL database, dropped after): the real stack
(`tests/bot/stack.py`), a warm-up, then ONE talkative conversation (`long_conversation_script`)
through the REST channel. Each turn is timed by the client, then the store is read (read-only)
for the conversation's events, in all and since its last `session_started`. Prints p50/p95 of
the turns nearest 50, 500 and 2,500 events (target: p95 at 2,500 ≤ 1.5 × p95 at 50), writes
var/bench-long-conversation.json, exits 1 when a store misses the target. Each store is also
run with Rasa's own sessions only (`LONG_SESSION_EVENTS` out of reach: the stock behaviour),
for comparison in the same run (`--skip-stock` leaves it out).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx

os.environ["RASA_TELEMETRY_ENABLED"] = "false"

from bench.long_conversation_script import CANCELS, Said, claims_of, talkative
from bench.long_conversation_stores import EventCounter, tracker_store
from bench.toolkit import machine
from bench.toolkit.measures import percentile
from tests.bot.conftest import chat_token, sign_in
from tests.bot.stack import ROOT, TEST_SECRET, running_api, running_assistant

OUT = ROOT / "var" / "bench-long-conversation.json"
STORES = ("sqlite", "postgresql")
USERNAME = "assure1"
# A few reports by one person in one run: the caps per provider are the API suite's business.
API_ENV = {"REPORT_DAILY_LIMIT": "100", "REPORT_WEEKLY_LIMIT": "200", "LOG_LEVEL": "WARNING"}
MARKS = (50, 500, 2500)
BUCKET = 40  # turns nearest each mark
TARGET_RATIO = 1.5
# LONG_SESSION_EVENTS for the comparison: Rasa's sessions only (60 minutes of silence).
UNBOUNDED = 10**9
MIN_MESSAGES = 330
FILINGS = 4
TOKEN_REFRESH_S = 600.0  # a chat token lives 30 minutes at most


@dataclass
class Turn:
    index: int
    kind: str
    ms: float
    events_total: int
    events_in_session: int
    status: int


class Chat:
    """One conversation through the REST channel, with a chat token kept fresh."""

    def __init__(self, api_url: str, rasa_url: str, sender: str) -> None:
        self.api_url, self.sender = api_url, sender
        self.url = f"{rasa_url}/webhooks/rest/webhook"
        self.access = sign_in(api_url, USERNAME)
        self.http = httpx.Client(timeout=60, trust_env=False)
        self.token, self.issued = chat_token(api_url, self.access), time.monotonic()
        self.conversation = ""  # the sender id Rasa keeps it under (`recipient_id`)
        self.sent = 0

    def say(self, text: str) -> tuple[int, list[dict[str, Any]], float]:
        """Status, answer and the request's wall time in ms."""
        if time.monotonic() - self.issued > TOKEN_REFRESH_S:
            self.token, self.issued = chat_token(self.api_url, self.access), time.monotonic()
        self.sent += 1
        body = {"sender": self.sender, "message": text, "message_id": f"{self.sender}-{self.sent}",
                "metadata": {"chat_token": self.token}}  # fmt: skip
        started = time.perf_counter()
        response = self.http.post(self.url, json=body)
        ms = (time.perf_counter() - started) * 1000
        answer = response.json() if response.status_code == 200 else []
        if answer and not self.conversation:
            self.conversation = str(answer[0].get("recipient_id", ""))
        return response.status_code, answer, ms

    def close(self) -> None:
        self.http.close()


def _show(turn: Turn, said: Said, answer: list[dict[str, Any]]) -> None:
    print(f"  {turn.index:>3} 👤 [{said.kind}] {said.text}")
    for message in answer:
        text = str(message.get("text", "")).replace("\n", " ")
        print(f"      🤖 {text[:150]}{'…' if len(text) > 150 else ''}")
    print(f"      ({turn.ms:.0f} ms, {turn.events_total} événements"
          f", {turn.events_in_session} dans la session)")  # fmt: skip


def _done(turns: list[Turn], options: argparse.Namespace, started: float) -> bool:
    if len(turns) >= options.max_messages or time.monotonic() - started > options.time_limit:
        return True
    past_top = sum(t.events_total >= MARKS[-1] for t in turns)
    return len(turns) >= MIN_MESSAGES and past_top >= BUCKET // 2


def _turn(chat: Chat, counter: EventCounter, said: Said, turns: list[Turn], verbose: bool) -> str:
    """Say one message, time it, count the events stored since; the answer as JSON text."""
    status, answer, ms = chat.say(said.text)
    total, in_session = counter.count(chat.conversation)
    turn = Turn(len(turns) + 1, said.kind, round(ms, 1), total, in_session, status)
    turns.append(turn)
    if verbose:
        _show(turn, said, answer)
    return json.dumps(answer, ensure_ascii=False)


def converse(chat: Chat, counter: EventCounter, claims: list[Any], options: Any) -> dict[str, Any]:
    """The talkative person's one conversation, until past 2,500 events (or a bound)."""
    turns: list[Turn] = []
    filed = failed_filings = 0
    script = talkative(claims)
    started = time.monotonic()
    while not _done(turns, options, started):
        said = next(script)
        answer = _turn(chat, counter, said, turns, options.verbose)
        if said.kind != "filing":
            continue
        if "SIG-" in answer:
            filed += 1
        else:  # the form is left where it stopped: cancel it, timed like any turn
            failed_filings += 1
            _turn(chat, counter, Said("cancel", CANCELS[0]), turns, options.verbose)
    return {"turns": turns, "filed": filed, "failed_filings": failed_filings,
            "seconds": round(time.monotonic() - started, 1)}  # fmt: skip


def bucket(turns: list[Turn], mark: int) -> dict[str, Any]:
    """Turn latency for the BUCKET turns whose conversation is nearest `mark` events."""
    nearest = sorted(turns, key=lambda t: (abs(t.events_total - mark), t.index))[:BUCKET]
    ms = [t.ms for t in nearest]
    spans = {
        key: [min(getattr(t, key) for t in nearest), max(getattr(t, key) for t in nearest)]
        for key in ("index", "events_total", "events_in_session")
    }
    return {"mark": mark, "reached": max(t.events_total for t in turns) >= mark,
            "turns": spans.pop("index"), **spans, "p50_ms": round(statistics.median(ms), 1),
            "p95_ms": round(percentile(ms, 0.95), 1)}  # fmt: skip


def summarise(
    store: str, bounded: bool, played: dict[str, Any], foreign: float | None
) -> dict[str, Any]:
    turns: list[Turn] = played["turns"]
    buckets = [bucket(turns, mark) for mark in MARKS]
    ratio = buckets[-1]["p95_ms"] / buckets[0]["p95_ms"]
    return {
        "store": store, "sessions": "bounded" if bounded else "rasa", "messages": len(turns),
        "seconds": played["seconds"],
        "filed": played["filed"], "failed_filings": played["failed_filings"],
        "errors": sum(t.status != 200 for t in turns),
        "events_total": turns[-1].events_total, "events_in_session": turns[-1].events_in_session,
        "foreign_cpu_share": foreign, "buckets": buckets, "ratio_p95": round(ratio, 2),
        "target": TARGET_RATIO, "met": buckets[-1]["reached"] and ratio <= TARGET_RATIO,
        "turns": [asdict(t) for t in turns],
    }  # fmt: skip


def warm_up(api_url: str, rasa_url: str) -> None:
    """A few turns in another conversation, so that the measured one pays no first turn."""
    chat = Chat(api_url, rasa_url, "long-warm-up")
    for text in ("bonjour", "comment voir mes remboursements", "merci"):
        chat.say(text)
    chat.close()


def play(store: str, bounded: bool, options: argparse.Namespace) -> dict[str, Any]:
    """The whole stack on `store`, one long conversation through it; `bounded`: with
    `bot.sessions` starting a long session at rest afresh, else with Rasa's sessions only
    (the stock behaviour, for comparison in the same run)."""
    rasa_env = {} if bounded else {"LONG_SESSION_EVENTS": str(UNBOUNDED)}
    with (
        tempfile.TemporaryDirectory() as tmp,
        tracker_store(store, Path(tmp)) as (rasa_store, read_only),
        running_api(Path(tmp), TEST_SECRET, API_ENV) as api_url,
        running_assistant(
            api_url, Path(tmp), rasa_env={"TRACKER_STORE_URL": rasa_store, **rasa_env}
        ) as bot,
    ):
        warm_up(api_url, bot.url)
        chat = Chat(api_url, bot.url, "long")
        headers = {"Authorization": f"Bearer {chat.access}"}
        items = chat.http.get(f"{api_url}/api/v1/claims", params={"limit": 100}, headers=headers)
        claims = claims_of(items.json()["items"], FILINGS)
        counter = EventCounter(read_only)
        database = machine.pids_named("postgres") if store == "postgresql" else []
        snapshot = machine.cpu_snapshot(machine.descendants({os.getpid(), *database}))
        try:
            played = converse(chat, counter, claims, options)
        finally:
            chat.close()
            counter.close()
        return summarise(store, bounded, played, machine.foreign_cpu_share(snapshot))


def print_store(result: dict[str, Any]) -> None:
    names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    sessions = "sessions bornées" if result.get("sessions") != "rasa" else "sessions de Rasa seules"
    print(f"\nConversation longue — base des conversations {names[result['store']]}, {sessions}"
          f" — {os.cpu_count()} cœurs")  # fmt: skip
    if "error" in result:
        print(f"  échec : {result['error']}")
        return
    if (foreign := result["foreign_cpu_share"]) and foreign > 0.1:
        print(f"  ! d'autres processus ont pris {foreign:.0%} du processeur : chiffres pessimistes")
    print(f"  {'Repère':<10}{'Tours':<10}{'Événements':<14}{'Dans la session':<17}"
          f"{'p50 (ms)':>9}{'p95 (ms)':>9}")  # fmt: skip
    for b in result["buckets"]:
        mark = f"≈ {b['mark']:,}".replace(",", " ")
        spans = ["–".join(map(str, b[k])) for k in ("turns", "events_total", "events_in_session")]
        print(f"  {mark:<10}{spans[0]:<10}{spans[1]:<14}{spans[2]:<17}{b['p50_ms']:>9.0f}"
              f"{b['p95_ms']:>9.0f}{'' if b['reached'] else '  (repère non atteint)'}")  # fmt: skip
    met = "atteinte" if result["met"] else "non atteinte"
    print(f"  p95 à 2 500 / p95 à 50 : {result['ratio_p95']:.2f}  [≤ {TARGET_RATIO}]  {met}")
    print(
        f"  {result['messages']} messages en {result['seconds']:.0f} s, "
        f"{result['events_total']} événements, {result['filed']} signalements déposés"
        f" ({result['failed_filings']} non aboutis), {result['errors']} erreurs HTTP"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stores", default=",".join(STORES), help="sqlite,postgresql")
    parser.add_argument("--max-messages", type=int, default=600, help="messages au plus")
    parser.add_argument("--time-limit", type=float, default=900, help="secondes par base, au plus")
    parser.add_argument("--verbose", "-v", action="store_true", help="affiche le dialogue")
    parser.add_argument("--skip-stock", action="store_true", help="sans la comparaison")
    options = parser.parse_args()
    stores = [s.strip() for s in options.stores.split(",") if s.strip()]
    if not stores or set(stores) - set(STORES):
        parser.error("--stores : sqlite, postgresql ou les deux")
    results = []
    variants = (True,) if options.skip_stock else (True, False)
    for store, bounded in [(store, bounded) for store in stores for bounded in variants]:
        print(f"[{store}] une conversation de {MIN_MESSAGES} messages ou plus…", flush=True)
        try:
            results.append(play(store, bounded, options))
        except Exception as error:  # the other runs are still measured
            kind = "bounded" if bounded else "rasa"
            results.append({"store": store, "sessions": kind, "error": f"{error!r}"})
        print_store(results[-1])
    OUT.parent.mkdir(parents=True, exist_ok=True)
    data = {"machine": machine.describe_machine(), "stores": results}
    OUT.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"\nDétail de chaque tour : {OUT.relative_to(ROOT)}")
    sys.exit(0 if all(r.get("met") for r in results if r["sessions"] == "bounded") else 1)


if __name__ == "__main__":
    main()
