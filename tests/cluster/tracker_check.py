"""What a conversation's stored events must look like, however many replicas served it: in
order, one complete turn per message, no message handled twice."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from typing import Any


def problems(events: list[dict[str, Any]]) -> list[str]:
    """What is wrong with one conversation's events (given in the order they were stored)."""
    found: list[str] = []
    last_time = 0.0
    handled: dict[str, int] = defaultdict(int)
    turn: list[dict[str, Any]] = []

    def close(turn: list[dict[str, Any]]) -> None:
        if not turn or turn[0].get("event") != "user":
            return
        if any(e.get("event") == "rewind" for e in turn):
            return  # a turn the assistant could not handle: sent again later
        handled[str(turn[0].get("message_id"))] += 1
        if turn[-1].get("event") != "action" or turn[-1].get("name") != "action_listen":
            found.append(f"turn of {turn[0].get('message_id')} is incomplete")

    for event in events:
        stamp = float(event.get("timestamp") or 0)
        if stamp + 0.001 < last_time:
            found.append(f"event {event.get('event')} stored out of order")
        last_time = max(last_time, stamp)
        if event.get("event") == "user":
            close(turn)
            turn = []
        turn.append(event)
    close(turn)
    found += [f"message {mid} handled {n} times" for mid, n in handled.items() if n > 1]
    return found


def by_conversation(rows: Iterable[tuple[str, str]]) -> dict[str, list[dict[str, Any]]]:
    """(sender_id, data) rows of Rasa's `events` table, in id order, per conversation."""
    conversations: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for sender_id, data in rows:
        conversations[sender_id].append(json.loads(data))
    return conversations
