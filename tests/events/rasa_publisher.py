"""Rasa's own tracker store and Pika broker save a conversation in two turns (bot environment).

    .venv-bot/bin/python tests/events/rasa_publisher.py TRACKER_DB QUEUE EXCHANGE SENDER TOKEN

Run by tests/events/test_rasa_publisher.py; never imports the API.
"""

import asyncio
import os
import sys

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")

from rasa.core.brokers.pika import PikaEventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker


def said(text: str, intent: str, confidence: float, token: str) -> UserUttered:
    return UserUttered(
        text,
        intent={"name": intent, "confidence": confidence},
        parse_data={
            "intent": {"name": intent, "confidence": confidence},
            "entities": [],
            "intent_ranking": [{"name": intent, "confidence": confidence}],
        },
        input_channel="rest",
        metadata={"access_token": token, "auth": {"policyholder_id": 7, "session": "s-1"}},
    )


async def main(tracker_db: str, queue: str, exchange: str, sender: str, token: str) -> None:
    broker = PikaEventBroker(
        "127.0.0.1",
        username="guest",
        password="guest",
        queues=[queue],
        exchange_name=exchange,
        connection_attempts=3,
        retry_delay_in_seconds=1,
    )
    await broker.connect()
    store = SQLTrackerStore(
        domain=Domain.empty(), dialect="sqlite", db=tracker_db, event_broker=broker
    )
    tracker = DialogueStateTracker(sender, slots=[])
    tracker.model_id = "8f1c2d"
    for event in (
        ActionExecuted("action_session_start"),
        SessionStarted(),
        ActionExecuted("action_listen"),
        said("bonjour", "greet", 0.93, token),
        ActionExecuted("utter_greet", policy="RulePolicy", confidence=1.0),
        BotUttered("Bonjour !", metadata={"utter_action": "utter_greet"}),
        ActionExecuted("action_listen"),
    ):
        tracker.update(event)
    await store.save(tracker)  # the first turn: every event published, then stored
    # The next turn starts, as in Rasa's server, from the tracker read back from the store.
    tracker = await store.retrieve(sender)
    assert tracker is not None
    for event in (
        said("on m'a facturé un soin fantôme", "report_suspicious", 0.41, token),
        SlotSet("act_description", "on m'a facturé un soin fantôme"),
        ActionExecuted("action_file_report", policy="RulePolicy", confidence=1.0),
        BotUttered("Signalement enregistré.", metadata={"utter_action": "utter_report_filed"}),
        ActionExecuted("action_listen"),
    ):
        tracker.update(event)
    await store.save(tracker)  # the second turn: only the new events
    while broker._background_tasks:
        await asyncio.sleep(0.05)
    await broker.close()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:6]))
