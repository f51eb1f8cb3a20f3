"""Rasa's own tracker store and Pika broker save a conversation in two turns (bot environment).

    .venv-bot/bin/python tests/events/rasa_publisher.py ENDPOINTS TRACKER_DB SENDER TOKEN

The broker comes from an endpoints file (`event_broker: {type: pika, …}`), as the server
reads it. Run by tests/events/test_rasa_publisher.py; never imports the API.
"""

import asyncio
import os
import sys
from typing import TYPE_CHECKING, cast

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")

from rasa.core.brokers.broker import EventBroker
from rasa.core.brokers.pika import PikaEventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.core.utils import read_endpoints_from_path
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

if TYPE_CHECKING:  # Rasa declares it for type checkers only
    from rasa.shared.core.events import NLUPredictionData


def said(text: str, intent: str, confidence: float, token: str) -> UserUttered:
    return UserUttered(
        text,
        intent={"name": intent, "confidence": confidence},
        parse_data=cast(
            "NLUPredictionData",
            {
                "intent": {"name": intent, "confidence": confidence},
                "entities": [],
                "intent_ranking": [{"name": intent, "confidence": confidence}],
            },
        ),
        input_channel="rest",
        metadata={"access_token": token, "auth": {"policyholder_id": 7, "session": "s-1"}},
    )


async def main(endpoints: str, tracker_db: str, sender: str, token: str) -> None:
    broker = await EventBroker.create(read_endpoints_from_path(endpoints).event_broker)
    assert isinstance(broker, PikaEventBroker)
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
    stored = await store.retrieve(sender)
    assert stored is not None
    tracker = stored
    for later in (
        said("on m'a facturé un soin fantôme", "report_suspicious", 0.41, token),
        SlotSet("act_description", "on m'a facturé un soin fantôme"),
        ActionExecuted("action_file_report", policy="RulePolicy", confidence=1.0),
        BotUttered("Signalement enregistré.", metadata={"utter_action": "utter_report_filed"}),
        ActionExecuted("action_listen"),
    ):
        tracker.update(later)
    await store.save(tracker)  # the second turn: only the new events
    while broker._background_tasks:
        await asyncio.sleep(0.05)
    await broker.close()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:5]))
