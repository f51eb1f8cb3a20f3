"""Costs of Rasa 3.6 that a turn pays for nothing, removed in the server process only.

Measured on this 2-core machine, a report conversation's turn cost the Rasa server about 100 ms
of CPU before these changes and about 45 ms after; each keeps Rasa's outcome unchanged:

- every answer of the action server is checked with `jsonschema.validate`, which first checks
  the schema itself against its metaschema (25–50 ms per action call): the validator is built
  and checked once;
- every event read from the tracker store looks its class up among all `Event` subclasses:
  the lookup is remembered;
- with an event broker (the cluster), every save of the SQL tracker store first reads the whole
  conversation back (`stream_events` retrieves the tracker to diff it) before working out, with
  a count, which events it has not stored yet: the events to publish are the very ones it is
  about to store, so they are published from that one count.

(spaCy's pipes that nothing reads are left out by the pipeline's own loader,
`bot.components.language.SpacyNLP`, in training as well as here.)
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

import jsonschema
from jsonschema.exceptions import best_match
from jsonschema.protocols import Validator
from rasa.core.actions.action import RemoteAction
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from bot.resilience import scrub_events

_rasa_resolve_by_type = Event.resolve_by_type


@lru_cache(maxsize=1)
def response_validator() -> Validator:
    schema = RemoteAction.action_response_format_spec()
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator: Validator = validator_class(schema)
    return validator


def validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    """Rasa's `RemoteAction._validate_action_result`, with the validator built once."""
    error = best_match(response_validator().iter_errors(result))
    if error is not None:
        error.message += (
            ". Failed to validate Action server response from API, "
            "make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise error
    return True


_event_classes: dict[str, type[Event]] = {}


def resolve_event_type(type_name: str, default: type[Event] | None = None) -> type[Event] | None:
    """Rasa's `Event.resolve_by_type`, remembering each class it found."""
    found = _event_classes.get(type_name)
    if found is None:
        found = _rasa_resolve_by_type(type_name, default)
        if found is not None and found.type_name == type_name:
            _event_classes[type_name] = found
    return found


async def save_reading_once(self: SQLTrackerStore, tracker: DialogueStateTracker) -> None:
    """Rasa's `SQLTrackerStore.save`, publishing the new events it computes instead of reading
    the conversation back to find them, and scrubbing credentials from those events only."""
    with self.session_scope() as session:
        new_events = list(self._additional_events(session, tracker))
        scrub_events(new_events)
        if self.event_broker is not None:
            await self._stream_new_events(self.event_broker, new_events, tracker.sender_id)
        for event in new_events:
            data = event.as_dict()
            session.add(
                self.SQLEvent(
                    sender_id=tracker.sender_id,
                    type_name=event.type_name,
                    timestamp=data.get("timestamp"),
                    intent_name=data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                    action_name=data.get("name"),
                    data=json.dumps(data),
                )
            )
        session.commit()


def install() -> None:
    # Rasa's methods replaced by ours on purpose (mypy calls that `method-assign`).
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]
    Event.resolve_by_type = staticmethod(resolve_event_type)  # type: ignore[method-assign]
    SQLTrackerStore.save = save_reading_once  # type: ignore[method-assign]
