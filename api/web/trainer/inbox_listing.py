"""The inbox page's reading: each message or grouped, from the address's cursor, and the
addresses of the first and the next page (the filters kept)."""

from collections.abc import Collection
from dataclasses import dataclass, field
from urllib.parse import urlencode

from api.core.config import Settings
from api.training import inbox_context
from api.training.inbox import Cursor, InboxMessage, InboxSource, read_messages
from api.training.inbox_groups import GroupCursor, MessageGroup, read_groups
from api.training.nlu_files import NluData
from api.web.trainer.forms import InboxQuery
from api.web.trainer.ui import INBOX


@dataclass
class Listing:
    messages: list[InboxMessage] = field(default_factory=list)
    groups: list[MessageGroup] = field(default_factory=list)
    # The question each shown message answered, by key, as the assistant worded it.
    questions: dict[str, str] = field(default_factory=dict)
    next_url: str | None = None
    first_url: str | None = None


def _url(query: InboxQuery, after: str = "") -> str:
    values = {name: value for name, value in query.values.items() if value}
    if after:
        values["apres"] = after
    return f"{INBOX}?{urlencode(values)}" if values else INBOX


def read(
    *,
    source: InboxSource,
    query: InboxQuery,
    after: str,
    settings: Settings,
    nlu: NluData,
    handled: Collection[str],
) -> Listing:
    listing = Listing(first_url=_url(query) if after else None)
    if query.values["view"] == "groupes":
        groups = read_groups(
            source=source,
            filters=query.filters,
            timezone=settings.timezone,
            nlu=nlu,
            handled=handled,
            cursor=GroupCursor.decode(after),
        )
        listing.groups = groups.groups
        messages = [group.message for group in groups.groups]
        following = groups.next_cursor.encode() if groups.next_cursor else ""
    else:
        page = read_messages(
            source=source,
            filters=query.filters,
            timezone=settings.timezone,
            nlu=nlu,
            handled=handled,
            cursor=Cursor.decode(after),
        )
        listing.messages = messages = page.messages
        following = page.next_cursor.encode() if page.next_cursor else ""
    listing.next_url = _url(query, following) if following else None
    listing.questions = {
        m.key: inbox_context.question_text(settings.assistant_dir, m.question)
        for m in messages
        if m.question is not None
    }
    return listing
