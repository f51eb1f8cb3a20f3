"""The trainers' figures over the last days, from `conversation_event` with indexed queries.

Every query reads one type of event over the period through the (type_name, timestamp) index;
days are French days (the boundaries are computed here, so daylight saving time is exact on
both databases), counted by the database with one CASE over the period's boundaries.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, case, distinct, func, select
from sqlalchemy.orm import Session

from api.events.models import ConversationEvent

FALLBACK_INTENT = "nlu_fallback"
# Below this, a message the assistant did understand is still "low confidence".
LOW_CONFIDENCE = 0.5
# The response the action server sends once the API has filed a report.
REPORT_FILED_RESPONSE = "utter_report_filed"
PERIOD_DAYS = 30


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


def _day_index(bounds: list[float]) -> ColumnElement[Any]:
    stamp = ConversationEvent.timestamp
    return case(*[(stamp < bound, index) for index, bound in enumerate(bounds[1:])], else_=-1)


def _in_period(type_name: str, bounds: list[float]) -> ColumnElement[bool]:
    return and_(
        ConversationEvent.type_name == type_name,
        ConversationEvent.timestamp >= bounds[0],
        ConversationEvent.timestamp < bounds[-1],
    )


def _per_day(session: Session, bounds: list[float]) -> dict[int, list[int]]:
    day = _day_index(bounds).label("day")
    figures: dict[int, list[int]] = {}
    messages = (
        select(day, func.count(), func.count(distinct(ConversationEvent.sender_id)))
        .where(_in_period("user", bounds))
        .group_by(day)
    )
    for index, count, conversations in session.execute(messages):
        figures[index] = [count, conversations, 0]
    reports = (
        select(day, func.count())
        .where(_in_period("bot", bounds), ConversationEvent.action_name == REPORT_FILED_RESPONSE)
        .group_by(day)
    )
    for index, count in session.execute(reports):
        figures.setdefault(index, [0, 0, 0])[2] = count
    return figures


def conversation_statistics(
    *, session: Session, last_day: date, timezone: str, days: int = PERIOD_DAYS
) -> Statistics:
    """Messages, conversations and filed reports per day; understanding; intents."""
    bounds = day_bounds(last_day, days, timezone)
    figures = _per_day(session, bounds)
    fallback = ConversationEvent.intent_name == FALLBACK_INTENT
    doubtful = and_(~fallback, ConversationEvent.confidence < LOW_CONFIDENCE)
    totals = session.execute(
        select(
            func.count(),
            func.count(distinct(ConversationEvent.sender_id)),
            func.coalesce(func.sum(case((fallback, 1), else_=0)), 0),
            func.coalesce(func.sum(case((doubtful, 1), else_=0)), 0),
        ).where(_in_period("user", bounds))
    ).one()
    count = func.count().label("count")
    intents = session.execute(
        select(ConversationEvent.intent_name, count)
        .where(_in_period("user", bounds))
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
        messages=int(totals[0]),
        conversations=int(totals[1]),
        fallbacks=int(totals[2]),
        low_confidence=int(totals[3]),
        reports=sum(d.reports for d in per_day),
        intents=[(name or "—", int(n)) for name, n in intents],
    )
