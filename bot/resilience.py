"""Rasa 3.6 made never silent and never forgetful when a backend fails (Rasa server only).

- **An action that fails** (the action server unreachable, slow or answering 5xx, or an error
  in an action): Rasa logs it, drops the action's events and goes on, so the person often gets
  no answer at all. Here the assistant says it has a technical problem (`utter_technical_problem`)
  and the turn is undone: what was said stays in the conversation's record (transcript, trainers'
  inbox), the turn's other events (slots, the form's steps) are dropped, and a
  `UserUtteranceReverted` puts the conversation back where it was before the message, so the
  person can send it again once the backend is back and go on from there. (Dropping the form's
  steps matters: Rasa folds a form's successive turns together when it replays events, and a
  revert after such a step would undo the whole form.)
- **The tracker store unreachable**: Rasa's `FailSafeTrackerStore` returns an empty tracker and
  saves into memory, so the turn is answered as if the conversation had just begun and is then
  lost. Here it raises `TrackerStoreUnavailable`, and the channel tells the person.
- **No token at rest**: before events are stored, any metadata key or value that looks like a
  credential is dropped (the channels put none there; this catches what another path might);
  on the SQL store, from the events being written only (`bot.speedups`).
- **Short action timeouts**: Rasa waits up to 5 minutes for an action while it holds the
  conversation's lock; `ACTION_TIMEOUT_SECONDS` (20 by default) bounds it.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable
from typing import Any

import rasa.core.actions.action as rasa_actions
import rasa.utils.endpoints as rasa_endpoints
from rasa.core.actions.action import ActionExecutionRejection, create_bot_utterance
from rasa.core.processor import MessageProcessor
from rasa.core.tracker_store import FailSafeTrackerStore, SQLTrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    Event,
    UserUtteranceReverted,
    UserUttered,
)

logger = logging.getLogger("bot.resilience")

TECHNICAL_PROBLEM = "utter_technical_problem"
ACTION_TIMEOUT_ENV = "ACTION_TIMEOUT_SECONDS"
DEFAULT_ACTION_TIMEOUT_S = 20

_CREDENTIAL_KEY = re.compile(r"token|authorization|password|secret|jwt", re.IGNORECASE)
_JWT_SHAPE = re.compile(r"^eyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]{8,}$")


class TrackerStoreUnavailable(Exception):
    """The conversation could not be read or written: nothing of this turn was kept."""


# --- actions ---------------------------------------------------------------------------------


async def undo_turn(tracker: Any, nlg: Any, output_channel: Any) -> None:
    """Keep what was said in this turn, drop the rest, say so, revert the message, listen."""
    events = list(tracker.events)
    last_user = max(i for i, e in enumerate(events) if isinstance(e, UserUttered))
    said = [e for e in events[last_user + 1 :] if isinstance(e, BotUttered)]
    tracker.events.clear()
    tracker.events.extend([*events[: last_user + 1], *said])
    tracker._reset()
    tracker.replay_events()
    message = await nlg.generate(TECHNICAL_PROBLEM, tracker, output_channel.name())
    if message:
        await output_channel.send_response(tracker.sender_id, dict(message))
        tracker.update(create_bot_utterance(message))  # (it takes the text out of `message`)
    tracker.update(UserUtteranceReverted())
    tracker.update(ActionExecuted(ACTION_LISTEN_NAME))


_rasa_run_action = MessageProcessor._run_action


async def run_action_or_apologise(
    self: MessageProcessor,
    action: Any,
    tracker: Any,
    output_channel: Any,
    nlg: Any,
    prediction: Any,
) -> bool:
    """Rasa's `_run_action`, with an action that fails answered and its turn undone instead of
    its events dropped and the conversation going on as if it had run."""
    run = action.run
    failed: list[BaseException] = []

    async def guarded_run(channel: Any, generator: Any, state: Any, domain: Any) -> list[Event]:
        try:
            events: list[Event] = await run(channel, generator, state, domain)
            return events
        except ActionExecutionRejection:
            raise  # the form's own way to say « not this slot »: Rasa handles it
        except Exception as error:
            logger.error("action %s failed: %s", action.name(), type(error).__name__)
            failed.append(error)
            return []

    action.run = guarded_run
    try:
        result: bool = await _rasa_run_action(
            self, action, tracker, output_channel, nlg, prediction
        )
    finally:
        del action.run
    if failed:
        await undo_turn(tracker, nlg, output_channel)
        return False  # the turn ends here, listening
    return result


# --- tracker store ---------------------------------------------------------------------------


def scrub_metadata(metadata: Any) -> Any:
    """The metadata without anything that looks like a credential (recursively)."""
    if isinstance(metadata, dict):
        return {
            key: scrub_metadata(value)
            for key, value in metadata.items()
            if not (isinstance(key, str) and _CREDENTIAL_KEY.search(key))
            and not (isinstance(value, str) and _JWT_SHAPE.match(value))
        }
    if isinstance(metadata, list):
        return [
            scrub_metadata(v) for v in metadata if not (isinstance(v, str) and _JWT_SHAPE.match(v))
        ]
    return metadata


def scrub_events(events: Iterable[Any]) -> None:
    for event in events:
        metadata = getattr(event, "metadata", None)
        if metadata:
            event.metadata = scrub_metadata(metadata)


def _writes_scrubbed(store: Any) -> bool:
    """The store underneath is SQL, whose save (`bot.speedups`) scrubs the events it writes."""
    while not isinstance(store, SQLTrackerStore) and hasattr(store, "_tracker_store"):
        store = store._tracker_store
    return isinstance(store, SQLTrackerStore)


async def _read(read: Any, sender_id: str) -> Any:
    """A read, tried twice: after a database restart the pool's first connection is dead
    (SQLAlchemy then discards the pool), the second attempt gets a fresh one."""
    try:
        return await read(sender_id)
    except Exception as error:
        logger.warning("tracker store read failed once: %s", type(error).__name__)
    try:
        return await read(sender_id)
    except Exception as error:
        logger.error("tracker store unreachable (retrieve): %s", type(error).__name__)
        raise TrackerStoreUnavailable(type(error).__name__) from error


async def _retrieve(self: FailSafeTrackerStore, sender_id: str) -> Any:
    return await _read(self._tracker_store.retrieve, sender_id)


async def _retrieve_full_tracker(self: FailSafeTrackerStore, sender_id: str) -> Any:
    return await _read(self._tracker_store.retrieve_full_tracker, sender_id)


async def _save(self: FailSafeTrackerStore, tracker: Any) -> None:
    if not _writes_scrubbed(self._tracker_store):
        scrub_events(tracker.events)
    try:
        await self._tracker_store.save(tracker)
    except Exception as error:
        logger.error("tracker store unreachable (save): %s", type(error).__name__)
        raise TrackerStoreUnavailable(type(error).__name__) from error


def install() -> None:
    # Rasa's methods replaced by ours on purpose (mypy calls that `method-assign`).
    MessageProcessor._run_action = run_action_or_apologise  # type: ignore[method-assign]
    FailSafeTrackerStore.retrieve = _retrieve  # type: ignore[method-assign]
    FailSafeTrackerStore.retrieve_full_tracker = _retrieve_full_tracker  # type: ignore[method-assign]
    FailSafeTrackerStore.save = _save  # type: ignore[method-assign]
    seconds = int(os.environ.get(ACTION_TIMEOUT_ENV, "") or DEFAULT_ACTION_TIMEOUT_S)
    # Each module's own copy of Rasa's constant, which it imports without re-exporting it.
    rasa_actions.DEFAULT_REQUEST_TIMEOUT = seconds  # type: ignore[attr-defined]
    rasa_endpoints.DEFAULT_REQUEST_TIMEOUT = seconds  # type: ignore[attr-defined]
