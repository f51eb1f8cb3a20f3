"""A turn costs the same in a long conversation as in a short one (Rasa server only).

Rasa 3.6 reads a conversation's current session from the tracker store on every message,
replays it several times to featurise it for the policies, and sends it whole to the action
server with every action call: each turn costs in proportion to the session's length. Two
changes bound that cost:

- **A long session at rest starts afresh.** When a message arrives in a session longer than
  `LONG_SESSION_EVENTS` events (200 by default) and nothing is in progress — no form active and
  none of the report's slots set (`contract.reports.REPORT_SLOTS`: no report being built,
  none waiting to be filed again, no complement offered) — a new session starts before the
  message is handled, exactly as after Rasa's 60-minute inactivity expiry (`domain.yml`'s
  `session_config`, which still applies): `action_session_start`, no slot carried over. A
  report in progress is never cut: its session goes on until it is filed, cancelled or
  abandoned. Nothing is deleted: the earlier sessions stay in the tracker store and in the
  conversation events the trainers and agents read; the report's transcript is the session it
  was filed in (`actions.conversation.transcript`), which holds the whole report.
- **The session is read once, lean.** Rasa's SQL tracker store loads each row whole through
  the ORM; here only the `data` column is selected, with Rasa's own filter (the events since
  the latest `session_started`, in id order). And credentials are scrubbed from the events
  about to be stored (`bot.resilience.scrub_metadata`), not from the whole session again.
"""

from __future__ import annotations

import json
import logging
import os

from contract.reports import REPORT_SLOTS
from rasa.core.processor import MessageProcessor
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker

logger = logging.getLogger("bot.sessions")

LONG_SESSION_ENV = "LONG_SESSION_EVENTS"
DEFAULT_LONG_SESSION_EVENTS = 200

_rasa_has_session_expired = MessageProcessor._has_session_expired


def long_session_events() -> int:
    return int(os.environ.get(LONG_SESSION_ENV, "") or DEFAULT_LONG_SESSION_EVENTS)


def at_rest(tracker: DialogueStateTracker) -> bool:
    """Nothing is in progress: no form active and no report slot set."""
    if tracker.active_loop_name:
        return False
    return all(tracker.get_slot(slot) is None for slot in REPORT_SLOTS)


def session_length(tracker: DialogueStateTracker) -> int:
    """The number of events since the latest session start (the whole tracker without one)."""
    for index in range(len(tracker.events) - 1, -1, -1):
        if isinstance(tracker.events[index], SessionStarted):
            return len(tracker.events) - index
    return len(tracker.events)


def long_and_at_rest(tracker: DialogueStateTracker, limit: int) -> bool:
    return session_length(tracker) > limit and at_rest(tracker)


def has_session_ended(self: MessageProcessor, tracker: DialogueStateTracker) -> bool:
    """Rasa's `_has_session_expired` (60 minutes without a message), or a long session at
    rest: either way the next message opens a new session."""
    if _rasa_has_session_expired(self, tracker):
        return True
    if not self.domain.session_config.are_sessions_enabled():
        return False
    if long_and_at_rest(tracker, long_session_events()):
        logger.debug("a long session at rest starts afresh")
        return True
    return False


async def retrieve_lean(
    self: SQLTrackerStore, sender_id: str, fetch_events_from_all_sessions: bool
) -> DialogueStateTracker | None:
    """Rasa's `SQLTrackerStore._retrieve`, selecting only the events' JSON."""
    with self.session_scope() as session:
        rows = self._event_query(session, sender_id, fetch_events_from_all_sessions)
        query = rows.with_entities(self.SQLEvent.data)
        events = [json.loads(data) for data in session.execute(query.statement).scalars()]
    if not self.domain or not events:
        return None
    return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)


def install() -> None:
    # Rasa's methods replaced by ours on purpose (mypy calls that `method-assign`).
    MessageProcessor._has_session_expired = has_session_ended  # type: ignore[method-assign]
    SQLTrackerStore._retrieve = retrieve_lean  # type: ignore[method-assign]
