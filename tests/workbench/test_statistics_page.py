"""/trainer/statistiques: the last 30 French days of conversations, from `conversation_event`."""

import itertools
import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.core.clock import local_today
from api.core.config import Settings
from api.events import service
from api.events.records import build_record
from api.events.statistics import conversation_statistics, day_bounds, offset_pieces
from tests.web.markup import duplicate_ids, parse, unlabelled_fields

PARIS = ZoneInfo("Europe/Paris")


def squeeze(text: str) -> str:
    """Markup's spaces and line breaks as one space (no-break spaces kept)."""
    return re.sub(r"[ \n\t]+", " ", text).strip()


def at(day: date, hour: int, minute: int = 0) -> float:
    return datetime.combine(day, time(hour, minute), PARIS).timestamp()


def store(db: Session, *events: tuple[str, float, dict[str, Any]]) -> None:
    records = [
        build_record(sender, {"timestamp": stamp, **event}) for sender, stamp, event in events
    ]
    assert service.store_events(session=db, records=records) == len(records)
    db.commit()


def said(intent: str, confidence: float, text: str = "un message") -> dict[str, Any]:
    return {
        "event": "user",
        "text": text,
        "parse_data": {"intent": {"name": intent, "confidence": confidence}},
    }


FILED = {
    "event": "bot",
    "text": "SIG-2026-000001",
    "metadata": {"utter_action": "utter_report_filed"},
}


def test_the_figures_count_french_days_across_a_change_of_time(db: Session) -> None:
    # 29 March 2026: Paris goes from UTC+1 to UTC+2.
    store(
        db,
        ("a", at(date(2026, 3, 29), 0, 30), said("greet", 0.9)),  # 23:30 UTC on the 28th
        ("a", at(date(2026, 3, 29), 23, 30), said("greet", 0.2)),  # 21:30 UTC
        ("b", at(date(2026, 3, 29), 12), said("nlu_fallback", 0.1)),
        ("b", at(date(2026, 3, 29), 12, 1), FILED),
        ("c", at(date(2026, 3, 30), 9), said("ask_human", 0.45)),
        ("c", at(date(2026, 3, 30), 9, 1), {"event": "action", "name": "action_listen"}),
        ("d", at(date(2026, 3, 28), 23, 59), said("greet", 0.95)),  # the day before the period
        ("e", at(date(2026, 3, 31), 0, 0), said("greet", 0.95)),  # the day after it
    )
    figures = conversation_statistics(
        session=db, last_day=date(2026, 3, 30), timezone="Europe/Paris", days=2
    )
    assert [(d.day, d.messages, d.conversations, d.reports) for d in figures.days] == [
        (date(2026, 3, 29), 3, 2, 1),
        (date(2026, 3, 30), 1, 1, 0),
    ]
    assert (figures.messages, figures.conversations, figures.reports) == (4, 3, 1)
    # One fallback; two understood below 50 % (0.2 and 0.45); the fallback is not counted twice.
    assert (figures.fallbacks, figures.low_confidence) == (1, 2)
    assert (figures.fallback_share, figures.low_confidence_share) == (0.25, 0.5)
    assert figures.intents == [("greet", 2), ("ask_human", 1), ("nlu_fallback", 1)]


def test_a_25_hour_day_keeps_its_last_hour() -> None:
    # 25 October 2026: Paris goes back from UTC+2 to UTC+1 at 03:00 (01:00 UTC).
    bounds = day_bounds(date(2026, 10, 26), 3, "Europe/Paris")
    assert offset_pieces(bounds, "Europe/Paris") == [
        (bounds[0], 7200.0),
        (datetime(2026, 10, 25, 1, 0, tzinfo=UTC).timestamp(), 3600.0),
    ]
    assert [b - a for a, b in itertools.pairwise(bounds)] == [86_400.0, 90_000.0, 86_400.0]


def test_the_figures_count_french_days_in_autumn_too(db: Session) -> None:
    store(
        db,
        ("a", at(date(2026, 10, 25), 0, 30), said("greet", 0.9)),  # 22:30 UTC on the 24th
        ("a", at(date(2026, 10, 25), 23, 59), said("greet", 0.9)),  # 22:59 UTC
        ("b", at(date(2026, 10, 26), 0, 0), said("greet", 0.9)),  # 23:00 UTC on the 25th
        ("c", at(date(2026, 10, 24), 23, 59), said("greet", 0.9)),  # 21:59 UTC
    )
    figures = conversation_statistics(
        session=db, last_day=date(2026, 10, 26), timezone="Europe/Paris", days=3
    )
    assert [(d.day.day, d.messages, d.conversations) for d in figures.days] == [
        (24, 1, 1),
        (25, 2, 1),
        (26, 1, 1),
    ]


def test_the_page_shows_the_figures_with_typed_text_escaped(
    signed_in: TestClient, db: Session, workbench: Settings
) -> None:
    today = local_today(workbench.timezone)
    hostile = "<img src=x onerror=alert(1)>"
    store(
        db,
        ("a", at(today, 0, 5), said("greet", 0.9, "<script>alert(1)</script>")),
        ("a", at(today, 0, 6), said(hostile, 0.3)),
        ("b", at(today - timedelta(days=29), 8), said("greet", 0.8)),
        ("b", at(today - timedelta(days=29), 8, 1), FILED),
        ("c", at(today - timedelta(days=30), 8), said("greet", 0.8)),  # 31 days ago: out
    )
    response = signed_in.get("/trainer/statistiques")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    figures = response.context["figures"]
    assert (figures.messages, figures.conversations, figures.reports) == (3, 2, 1)
    assert hostile not in response.text and "<script>alert(1)</script>" not in response.text
    document = parse(response.text)
    cards = [squeeze(li.text) for li in document.find("ul", class_="cards").find_all("li")]
    assert cards == [
        "3 messages",
        "2 conversations",
        "0,0\u00a0% de messages non compris",
        "33,3\u00a0% compris avec une confiance inférieure à 50\u00a0%",
        "1 signalement déposé par l'assistant",
    ]
    tables = document.find_all("table")
    days = [
        [c.text for c in row.iter() if c.tag in {"th", "td"}] for row in tables[0].find_all("tr")
    ]
    assert len(days) == 31  # a header and 30 days, today first
    assert days[1][:4] == [today.strftime("%d/%m/%Y"), "2", "1", "0"]
    assert days[30][:4] == [(today - timedelta(days=29)).strftime("%d/%m/%Y"), "1", "1", "1"]
    intents = [
        [c.text for c in row.iter() if c.tag in {"th", "td"}] for row in tables[1].find_all("tr")
    ]
    assert intents[1][:3] == ["Saluer greet", "2", "66,7\u00a0%"]
    assert intents[2][:3] == [hostile, "1", "33,3\u00a0%"]
    assert unlabelled_fields(document) == [] and duplicate_ids(document) == []
    nav = document.find("a", href="/trainer/statistiques")
    assert nav.attrs.get("aria-current") == "page"


def test_without_events_the_page_says_where_its_figures_come_from(signed_in: TestClient) -> None:
    response = signed_in.get("/trainer/statistiques")
    assert response.status_code == 200
    assert "api.events.consumer" in parse(response.text).find("p", class_="message").text
    assert "—" in response.text  # no share without messages
