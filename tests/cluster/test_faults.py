"""Issue 14: the assistant always answers. 20 conversations at once while the action server and
the API are each cut off and brought back three times: no report lost, none filed twice, no
turn without an answer, every person told. And when the tracker store is cut off, the person is
told that nothing was recorded, and the conversation goes on from where it was."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import psycopg
import pytest

from tests.bot.net import CuttableProxy
from tests.bot.stack import free_port, running_api, running_assistant
from tests.cluster.conftest import chat_token_for
from tests.cluster.conversation import Chat, Outcome, converse, response_name
from tests.cluster.population import Person, add_people
from tests.cluster.tracker_check import by_conversation, problems

pytestmark = pytest.mark.anyio
SECRET = "faults-test-secret-0123456789-abcdefghij"
CONVERSATIONS = 20
CUTS = 3
CUT_SECONDS = 3.0


@dataclass(frozen=True)
class Stack:
    api_url: str
    rasa_url: str
    people: list[Person]
    action_link: CuttableProxy  # Rasa → action server
    api_link: CuttableProxy  # action server → API
    tracker_link: CuttableProxy  # Rasa → its tracker store (PostgreSQL)
    tracker_database: str


def _port(url: str) -> int:
    return int(urlsplit(url).port or 80)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, tracker_database: str) -> Iterator[Stack]:
    workdir: Path = tmp_path_factory.mktemp("faults")
    actions_port = free_port()
    with running_api(workdir, SECRET) as api_url:
        people = add_people(
            f"sqlite:///{workdir / 'api.db'}", CONVERSATIONS, tag="panne", today=date.today()
        )
        action_link = CuttableProxy("127.0.0.1", actions_port)
        api_link = CuttableProxy("127.0.0.1", _port(api_url))
        tracker_link = CuttableProxy("127.0.0.1", 5432)
        tracker_url = f"postgresql://postgres@127.0.0.1:{tracker_link.port}/{tracker_database}"
        try:
            with running_assistant(
                api_link.url,
                workdir,
                actions_port=actions_port,
                action_server_url=f"{action_link.url}/webhook",
                rasa_env={"TRACKER_STORE_URL": tracker_url, "ACTION_TIMEOUT_SECONDS": "5"},
            ) as assistant:
                yield Stack(api_url, assistant.url, people, action_link, api_link, tracker_link,
                            tracker_database)  # fmt: skip
        finally:
            for link in (action_link, api_link, tracker_link):
                link.close()


async def _chaos(stack: Stack) -> list[str]:
    """Cut the action server off, then the API, three times each; returns what was done."""
    done = []
    for round_ in range(1, CUTS + 1):
        for name, link in (("actions", stack.action_link), ("api", stack.api_link)):
            await asyncio.sleep(1.5)
            link.cut()
            done.append(f"{name} cut #{round_}")
            await asyncio.sleep(CUT_SECONDS)
            link.restore()
    return done


def _reports_of(api_url: str, token: str) -> list[dict[str, object]]:
    # The person's own view of their reports (an access token of theirs).
    response = httpx.get(
        f"{api_url}/api/v1/reports",
        params={"limit": 100},
        headers={"Authorization": f"Bearer {token}"},
    )
    response.raise_for_status()
    return list(response.json()["items"])


def _access_token(api_url: str, username: str) -> str:
    response = httpx.post(
        f"{api_url}/api/v1/auth/token", data={"username": username, "password": "demo"}
    )
    response.raise_for_status()
    return str(response.json()["access_token"])


def _tracker_events(database: str) -> dict[str, list[dict[str, object]]]:
    url = f"postgresql://postgres@127.0.0.1:5432/{database}"
    with psycopg.connect(url) as connection:
        rows = connection.execute("SELECT sender_id, data FROM events ORDER BY id").fetchall()
    return by_conversation(rows)


async def test_twenty_conversations_survive_the_action_server_and_the_api_going_away(
    stack: Stack,
) -> None:
    chats = [
        Chat(stack.rasa_url, chat_token_for(stack.api_url, p.username), f"panne-{n}")
        for n, p in enumerate(stack.people)
    ]
    deadline = time.monotonic() + 300
    async with httpx.AsyncClient(timeout=60) as client:
        conversations = [
            converse(client, chat, person, deadline=deadline, think=0.4)
            for chat, person in zip(chats, stack.people, strict=True)
        ]
        outcomes, chaos = await asyncio.gather(asyncio.gather(*conversations), _chaos(stack))
    results: list[Outcome] = list(outcomes)

    assert len(chaos) == 2 * CUTS
    unfinished = {
        o.person.username: (o.error, [(t.sent, t.attempt, t.status, t.said) for t in o.turns])
        for o in results
        if o.reference is None
    }
    assert unfinished == {}, unfinished
    silent = {o.person.username: o.silent_turns for o in results if o.silent_turns}
    assert silent == {}, silent
    assert all(t.status == 200 for o in results for t in o.turns if t.status is not None)
    # The cuts were felt, and said: people were told of a technical problem.
    assert sum(o.told_of_trouble for o in results) >= CUTS
    for outcome in results:
        filed = _reports_of(stack.api_url, _access_token(stack.api_url, outcome.person.username))
        assert [r["reference"] for r in filed] == [outcome.reference], outcome.person.username
    for sender, events in _tracker_events(stack.tracker_database).items():
        if sender.startswith("assure-"):
            assert problems(events) == [], sender


async def test_a_tracker_store_cut_off_is_told_and_nothing_is_half_kept(stack: Stack) -> None:
    person = stack.people[0]
    chat = Chat(stack.rasa_url, chat_token_for(stack.api_url, person.username), "coupure")
    async with httpx.AsyncClient(timeout=60) as client:

        async def say(text: str, message_id: str) -> list[str]:
            body = {"sender": chat.sender, "message": text, "message_id": message_id,
                    "metadata": {"chat_token": chat.chat_token}}  # fmt: skip
            response = await client.post(f"{chat.url}/webhooks/rest/webhook", json=body)
            assert response.status_code == 200
            return [str(m.get("text", "")) for m in response.json()]

        opening = await say("je veux signaler un remboursement suspect", "m-open-01")
        assert response_name(opening[-1]) == "utter_ask_care_date"
        stack.tracker_link.cut()
        try:
            told = await say(f"le {person.typed_date}", "m-date-0001")
        finally:
            stack.tracker_link.restore()
        assert len(told) == 1 and "ne peux pas enregistrer notre conversation" in told[0]
        # Nothing of that message was kept: sent again, it is the date the form still waits for.
        again = await say(f"le {person.typed_date}", "m-date-0001")
        assert response_name(again[-1]) == "utter_ask_provider"
