"""Each message handled once, however often the client sends it (Rasa server only).

A person whose answer got lost (a replica died, the phone lost its network) sends the message
again; so does the widget when it reconnects. A client that gives each message an id
(`message_id`, kept by Rasa on the user event) makes that safe: when the conversation already
holds a user event with that id, the message is not handled a second time, and the answers the
assistant gave it are sent again instead. The check runs inside the conversation's lock, on the
tracker Rasa reads anyway. A turn the assistant could not handle (reverted by
`bot.resilience`) is handled when its message comes again.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.processor import MessageProcessor
from rasa.shared.core.events import BotUttered, UserUtteranceReverted, UserUttered

_CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


class AlreadyHandled(Exception):
    def __init__(self, answers: list[dict[str, Any]]) -> None:
        super().__init__("message already handled")
        self.answers = answers


def message_id(client_value: object) -> str:
    """The client's id for its message when it is a sensible one, else a fresh one."""
    if isinstance(client_value, str) and _CLIENT_ID.match(client_value):
        return client_value
    return uuid.uuid4().hex


def previous_answers(events: Any, wanted: str | None) -> list[dict[str, Any]] | None:
    """What the assistant answered to the user event `wanted`; None if there is none, or if
    that turn was reverted (a backend failed: the message is to be handled when sent again)."""
    found = False
    answers: list[dict[str, Any]] = []
    for event in events:
        if isinstance(event, UserUttered):
            if found:
                break
            found = wanted is not None and event.message_id == wanted
        elif found and isinstance(event, UserUtteranceReverted):
            return None
        elif found and isinstance(event, BotUttered):
            data = {k: v for k, v in (event.data or {}).items() if v is not None}
            answers.append({"text": event.text, **data} if event.text else data)
    return answers if found else None


_rasa_handle_message = MessageProcessor.handle_message


async def log_message_once(
    self: MessageProcessor, message: UserMessage, should_save_tracker: bool = True
) -> Any:
    """Rasa's `log_message`, refusing a message the conversation already holds."""
    tracker = await self.fetch_tracker_and_update_session(
        message.sender_id, message.output_channel, message.metadata
    )
    answers = previous_answers(tracker.events, message.message_id)
    if answers is not None:
        raise AlreadyHandled(answers)
    await self._handle_message_with_tracker(message, tracker)
    if should_save_tracker:
        await self.save_tracker(tracker)
    return tracker


async def handle_message_once(self: MessageProcessor, message: UserMessage) -> Any:
    try:
        return await _rasa_handle_message(self, message)
    except AlreadyHandled as done:
        for answer in done.answers:
            await message.output_channel.send_response(message.sender_id, answer)
        if isinstance(message.output_channel, CollectingOutputChannel):
            return message.output_channel.messages
        return None


def install() -> None:
    # Rasa's methods replaced by ours on purpose (mypy calls that `method-assign`).
    MessageProcessor.log_message = log_message_once  # type: ignore[method-assign]
    MessageProcessor.handle_message = handle_message_once  # type: ignore[method-assign]
