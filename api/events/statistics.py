"""The trainers' figures over the last days, from `conversation_event` with indexed queries.

Every query reads one type of event over the period from the (type_name, timestamp, …)
index, which holds every column they need: the table itself is never visited. Days are French
days: an event's day is floor((timestamp + UTC offset) / 86 400), the offset of its moment
(the period is cut where the offset changes, at most once in 30 days), so daylight saving
time is exact on both databases.
"""

import itertools
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Integer, and_, case, cast, func, select
from sqlalchemy.orm import Session

from api.events.models import ConversationEvent

FALLBACK_INTENT = "nlu_fallback"
# Below this, a message the assistant did understand is still "low confidence".
LOW_CONFIDENCE = 0.5
# The response the action server sends once the API has filed a report.
REPORT_FILED_RESPONSE = "utter_report_filed"
PERIOD_DAYS = 30
DAY_SECONDS = 86_400.0


@dataclass(frozen=True)
class DayFigures:
    day: date
    messages: int = 0
    conversations: int = 0
    reports: int = 0


@dataclass(frozen=True)
class Statistics:
    first_day: date
    last_day: date
    days: list[DayFigures]
    messages: int = 0
    conversations: int = 0
    fallbacks: int = 0
    low_confidence: int = 0
    reports: int = 0
    intents: list[tuple[str, int]] = field(default_factory=list)

    @property
    def fallback_share(self) -> float | None:
        return self.fallbacks / self.messages if self.messages else None

    @property
    def low_confidence_share(self) -> float | None:
        return self.low_confidence / self.messages if self.messages else None


def day_bounds(last_day: date, days: int, timezone: str) -> list[float]:
    """The `days + 1` local midnights around the period, as Rasa timestamps (UTC seconds)."""
    zone = ZoneInfo(timezone)
    first = last_day - timedelta(days=days - 1)
    return [
        datetime.combine(first + timedelta(days=i), time(), zone).timestamp()
        for i in range(days + 1)
    ]


def _utc_offset(stamp: float, zone: ZoneInfo) -> float:
    offset = datetime.fromtimestamp(stamp, zone).utcoffset()
    assert offset is not None
    return offset.total_seconds()


def offset_pieces(bounds: list[float], timezone: str) -> list[tuple[float, float]]:
    """(from when, UTC offset in seconds) over the period: one piece, two around a change."""
    zone = ZoneInfo(timezone)
    pieces = [(bounds[0], _utc_offset(bounds[0], zone))]
    for start, end in itertools.pairwise(bounds):
        before = _utc_offset(start, zone)
        if _utc_offset(end, zone) == before:
            continue
        low, high = int(start), int(end)  # the first second of the new offset, by bisection
        while high - low > 1:
            middle = (low + high) // 2
            low, high = (middle, high) if _utc_offset(middle, zone) == before else (low, middle)
        pieces.append((float(high), _utc_offset(high, zone)))
    return pieces


def _day_index(bounds: list[float], timezone: str, dialect: str) -> ColumnElement[Any]:
    """The index of an event's French day in the period: floor((timestamp + offset) / 1 day),
    the day of the local wall clock, minus the period's first."""
    stamp = ConversationEvent.timestamp
    pieces = offset_pieces(bounds, timezone)

    def local_day(offset: float) -> ColumnElement[Any]:
        days = (stamp + offset) / DAY_SECONDS  # positive: CAST truncates like floor
        return func.floor(days) if dialect == "postgresql" else cast(days, Integer)

    first = (bounds[0] + pieces[0][1]) // DAY_SECONDS
    if len(pieces) == 1:
        return local_day(pieces[0][1]) - first
    branches = [
        (stamp < since, local_day(offset))
        for (since, _), (_, offset) in zip(pieces[1:], pieces[:-1], strict=True)
    ]
    return case(*branches, else_=local_day(pieces[-1][1])) - first


def _in_period(type_name: str, bounds: list[float]) -> ColumnElement[bool]:
    return and_(
        ConversationEvent.type_name == type_name,
        ConversationEvent.timestamp >= bounds[0],
        ConversationEvent.timestamp < bounds[-1],
    )


def _per_day(
    session: Session, bounds: list[float], timezone: str
) -> tuple[dict[int, list[int]], list[int]]:
    """{day: [messages, conversations, reports]}, and [fallbacks, low confidence] in all."""
    day = _day_index(bounds, timezone, session.get_bind().dialect.name).label("day")
    user = _in_period("user", bounds)
    fallback = ConversationEvent.intent_name == FALLBACK_INTENT
    doubtful = and_(~fallback, ConversationEvent.confidence < LOW_CONFIDENCE)
    figures: dict[int, list[int]] = {}
    understanding = [0, 0]
    counts = select(
        day,
        func.count(),
        func.sum(case((fallback, 1), else_=0)),
        func.sum(case((doubtful, 1), else_=0)),
    ).where(user)
    for index, messages, fallbacks, low in session.execute(counts.group_by(day)):
        figures[int(index)] = [messages, 0, 0]
        understanding = [understanding[0] + int(fallbacks), understanding[1] + int(low)]
    # DISTINCT in a subquery: PostgreSQL hashes it, where COUNT(DISTINCT) would sort.
    pairs = select(day, ConversationEvent.sender_id).where(user).distinct().subquery()
    for index, conversations in session.execute(
        select(pairs.c.day, func.count()).group_by(pairs.c.day)
    ):
        figures.setdefault(int(index), [0, 0, 0])[1] = conversations
    reports = select(day, func.count()).where(
        _in_period("bot", bounds), ConversationEvent.action_name == REPORT_FILED_RESPONSE
    )
    for index, count in session.execute(reports.group_by(day)):
        figures.setdefault(int(index), [0, 0, 0])[2] = count
    return figures, understanding


def conversation_statistics(
    *, session: Session, last_day: date, timezone: str, days: int = PERIOD_DAYS
) -> Statistics:
    """Messages, conversations and filed reports per day; understanding; intents."""
    bounds = day_bounds(last_day, days, timezone)
    figures, (fallbacks, low_confidence) = _per_day(session, bounds, timezone)
    user = _in_period("user", bounds)
    senders = select(ConversationEvent.sender_id).where(user).distinct().subquery()
    conversations = session.scalar(select(func.count()).select_from(senders)) or 0
    count = func.count().label("count")
    intents = session.execute(
        select(ConversationEvent.intent_name, count)
        .where(user)
        .group_by(ConversationEvent.intent_name)
        .order_by(count.desc(), ConversationEvent.intent_name)
    ).all()
    first_day = last_day - timedelta(days=days - 1)
    per_day = [
        DayFigures(first_day + timedelta(days=i), *figures.get(i, [0, 0, 0])) for i in range(days)
    ]
    return Statistics(
        first_day=first_day,
        last_day=last_day,
        days=per_day,
        messages=sum(d.messages for d in per_day),
        conversations=conversations,
        fallbacks=fallbacks,
        low_confidence=low_confidence,
        reports=sum(d.reports for d in per_day),
        intents=[(name or "—", int(n)) for name, n in intents],
    )
