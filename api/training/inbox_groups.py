"""The inbox grouped by text: identical messages (case and spaces aside) shown once, with
how many times they were received and when last, newest group first, a page at a time.

The grouping runs in SQL over the whole store (the filters the database can apply first);
pages follow each other by keyset on (latest, normalised text).
"""

from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, ColumnElement, Connection, and_, cast, func, or_, select
from sqlalchemy.exc import SQLAlchemyError

from api.training import inbox_context
from api.training.inbox import (
    PAGE_SIZE,
    InboxFilters,
    InboxMessage,
    InboxSource,
    TrackerStoreUnavailable,
    parse_row,
    user_rows,
)
from api.training.nlu_files import NluData

BATCH = 200


@dataclass(frozen=True)
class GroupCursor:
    latest: float
    text: str

    def encode(self) -> str:
        return f"{self.latest!r}_{self.text}"

    @classmethod
    def decode(cls, raw: str) -> "GroupCursor | None":
        stamp, separator, text = raw.partition("_")
        try:
            return cls(float(stamp), text) if separator else None
        except ValueError:
            return None


@dataclass(frozen=True)
class MessageGroup:
    """Identical texts: the newest of them (the one annotated), their count and last date."""

    message: InboxMessage
    count: int
    latest: datetime


@dataclass
class GroupPage:
    groups: list[MessageGroup] = field(default_factory=list)
    next_cursor: GroupCursor | None = None


def typed_text(source: InboxSource) -> ColumnElement[Any]:
    """The event's text, lower case and trimmed, read in SQL from either source."""
    if "text_norm" in source.table.c:  # conversation_event: computed and indexed
        return source.table.c.text_norm
    data = source.table.c.data
    if isinstance(data.type, JSON):
        text = data["text"].as_string()
    elif source.engine.dialect.name == "postgresql":
        text = cast(data, JSON)["text"].as_string()
    else:
        text = func.json_extract(data, "$.text")
    return func.lower(func.trim(text))


def _group_query(source: InboxSource, filters: InboxFilters, timezone: str) -> Any:
    c = source.table.c
    norm = typed_text(source)
    rows: Any = user_rows(source.table, filters, timezone).order_by(None)
    rows = rows.with_only_columns(norm.label("norm"), c.timestamp)
    rows = rows.where(~norm.startswith("/"), norm != "")
    if filters.contains:
        words = " ".join(filters.contains.lower().split())
        rows = rows.where(norm.contains(words, autoescape=True))
    inner = rows.subquery()
    latest = func.max(inner.c.timestamp)
    query = (
        select(func.count().label("n"), inner.c.norm, latest.label("latest"))
        .where(inner.c.norm.is_not(None))
        .group_by(inner.c.norm)
        .order_by(latest.desc(), inner.c.norm)
    )
    return query, inner, latest


def _newest(
    source: InboxSource, connection: Connection, filters: InboxFilters, stamp: float, norm: str
) -> Any:
    c = source.table.c
    query = user_rows(source.table, filters, "UTC").where(
        c.timestamp == stamp, typed_text(source) == norm
    )
    return connection.execute(query.limit(1)).first()


def read_groups(
    *,
    source: InboxSource,
    filters: InboxFilters,
    timezone: str,
    nlu: NluData,
    handled: Collection[str],
    cursor: GroupCursor | None = None,
    limit: int = PAGE_SIZE,
) -> GroupPage:
    """A page of groups; a group whose newest message is known or handled is left out."""
    query, inner, latest = _group_query(source, filters, timezone)
    day_free = replace(filters, since=None, until=None)
    page = GroupPage()
    try:
        with source.engine.connect() as connection:
            if cursor is not None:
                query = query.having(
                    or_(
                        latest < cursor.latest,
                        and_(latest == cursor.latest, inner.c.norm > cursor.text),
                    )
                )
            rows = connection.execute(query.limit(limit + 1)).all()
            for count, norm, stamp in rows[:limit]:
                row = _newest(source, connection, day_free, stamp, norm)
                message = parse_row(row) if row is not None else None
                if message is None or message.key in handled or nlu.knows(message.text):
                    continue
                question = inbox_context.question_before(source.table, row, connection)
                message = replace(message, question=question)
                if filters.misunderstood and not message.misunderstood:
                    continue
                at = datetime.fromtimestamp(stamp, UTC)
                page.groups.append(MessageGroup(message=message, count=count, latest=at))
            if len(rows) > limit:
                page.next_cursor = GroupCursor(rows[limit - 1][2], rows[limit - 1][1])
    except SQLAlchemyError as error:
        raise TrackerStoreUnavailable(type(error).__name__) from None
    return page
