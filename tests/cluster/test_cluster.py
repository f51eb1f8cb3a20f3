"""Issue 13: the production topology on hosts of their own (network namespaces), through nginx.

50 report conversations at once over two Rasa replicas and two action servers, each pair on its
own host; a Rasa replica and an action server are SIGKILLed mid-run and restarted by the
supervisor. Every conversation reaches its reference, every report exists once, every
conversation's stored events are in order with no message handled twice, and the event stream
holds exactly the tracker store's events.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
import uuid
from collections.abc import Iterator
from datetime import date

import httpx
import psycopg
import pytest

from cluster import control
from cluster.stores import drop_databases
from cluster.topology import Counts, Topology
from tests.bot.stack import free_port
from tests.cluster.conftest import chat_token_for
from tests.cluster.conversation import Chat, Outcome, converse
from tests.cluster.population import Person, add_people
from tests.cluster.tracker_check import by_conversation, problems

pytestmark = pytest.mark.anyio
CONVERSATIONS = 50


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Topology]:
    if os.geteuid() != 0:
        pytest.fail("the cluster test makes network namespaces (ip netns): run it as root")
    tag = uuid.uuid4().hex[:8]
    options = control.Options(
        state_dir=tmp_path_factory.mktemp("cluster"),
        counts=Counts(rasa=2, actions=2, api=2),
        hosts=2,
        database=f"vigilance_cluster_{tag}",
        tracker_database=f"vigilance_cluster_tracker_{tag}",
        event_queue=f"vigilance_events_{tag}",
        entry_port=free_port(),
        api_base_port=free_port() + 10,
    )
    try:
        yield control.up(options)
    finally:
        control.stop(options.state_dir)
        drop_databases(options.database, options.tracker_database)


def _database_url(topology: Topology, name: str) -> str:
    return f"postgresql://postgres@127.0.0.1:5432/{name}"


def _kill(topology: Topology, name: str) -> int:
    _state, pid = control.supervisor_status(topology.state_dir)[name]
    os.kill(int(pid), signal.SIGKILL)
    return int(pid)


async def _kill_mid_run(topology: Topology, after: float) -> list[tuple[str, int]]:
    await asyncio.sleep(after)
    return [(name, _kill(topology, name)) for name in ("rasa-1", "actions-1")]


def _restarted(topology: Topology, killed: list[tuple[str, int]]) -> bool:
    states = control.supervisor_status(topology.state_dir)
    return all(states[name][0] == "RUNNING" and states[name][1] != str(pid) for name, pid in killed)


async def test_fifty_conversations_over_two_hosts_survive_a_replica_killed(
    cluster: Topology,
) -> None:
    people: list[Person] = add_people(
        f"postgresql+psycopg://postgres@127.0.0.1:5432/{cluster.stores.database}",
        CONVERSATIONS,
        tag="grappe",
        today=date.today(),
    )
    entry = cluster.entry_url
    chats = [Chat(entry, chat_token_for(entry, p.username), f"charge-{n}") for n, p in
             enumerate(people)]  # fmt: skip
    deadline = time.monotonic() + 420
    async with httpx.AsyncClient(timeout=90, limits=httpx.Limits(max_connections=100)) as client:
        runs = [converse(client, c, p, deadline=deadline, think=0.5) for c, p in
                zip(chats, people, strict=True)]  # fmt: skip
        *outcomes, killed = await asyncio.gather(*runs, _kill_mid_run(cluster, after=6))
    results: list[Outcome] = list(outcomes)

    unfinished = {o.person.username: (o.error, o.turns[-3:]) for o in results if not o.reference}
    assert unfinished == {}, unfinished
    assert [o for o in results if o.silent_turns] == []
    # The supervisor brought both back (new pids).
    give_up = time.monotonic() + 120
    while not _restarted(cluster, killed) and time.monotonic() < give_up:
        await asyncio.sleep(1)
    assert _restarted(cluster, killed), control.supervisor_status(cluster.state_dir)

    with psycopg.connect(_database_url(cluster, cluster.stores.database)) as connection:
        rows = connection.execute(
            "SELECT p.username, count(r.id) FROM policyholder p JOIN report r"
            " ON r.policyholder_id = p.id WHERE p.username LIKE 'grappe-%' GROUP BY p.username"
        ).fetchall()
    assert dict(rows) == {p.username: 1 for p in people}

    with psycopg.connect(_database_url(cluster, cluster.stores.tracker_database)) as connection:
        stored = by_conversation(
            connection.execute("SELECT sender_id, data FROM events ORDER BY id").fetchall()
        )
    ours = {sender: events for sender, events in stored.items() if "-charge-" in sender}
    assert len(ours) == CONVERSATIONS
    assert {sender: problems(events) for sender, events in ours.items() if problems(events)} == {}
