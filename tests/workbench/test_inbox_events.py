"""INBOX_SOURCE=events: the inbox reads the event consumer's copy and shows the same page."""

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.core.config import Settings
from api.core.tracker_store import tracker_engine
from api.events.backfill import backfill
from tests.web.helpers import csrf_token
from tests.workbench.support import SECRET_TOKEN, TrackerStore


@pytest.fixture
def conversations(tracker: TrackerStore) -> TrackerStore:
    tracker.user_says("salut la compagnie du mardi", "greet", 0.95)
    tracker.user_says("truc machin bidule", "nlu_fallback", 0.31)
    tracker.user_says("je veux un humain svp", "ask_human", 0.55, sender="assure-2-b")
    tracker.user_says("Bonjour !", "greet", 0.99)  # a training example: hidden
    tracker.user_says('/report_suspicious_reimbursement{"claim_choice": "12"}', "greet", 1.0)
    tracker.user_says("<b>qwerty</b> zorglub", "nlu_fallback", 0.2, sender="anonyme-zz")
    return tracker


@pytest.fixture
def from_events(app: FastAPI, workbench: Settings, conversations: TrackerStore) -> Iterator[None]:
    """The consumer's copy of the same tracker store, and the inbox switched to it."""
    with tracker_engine(conversations.url) as engine:
        assert backfill(tracker=engine, sessionmaker=app.state.sessionmaker).added == 6
    app.state.settings = workbench.model_copy(update={"inbox_source": "events"})
    yield
    app.state.settings = workbench


def page_of(client: TestClient, query: str = "") -> list[tuple[str, str, str, float]]:
    response = client.get(f"/trainer/messages{query}")
    assert response.status_code == 200
    messages = response.context["inbox_messages"]
    return [(m.key, m.text, m.intent, m.confidence) for m in messages]


def test_the_inbox_from_events_is_the_inbox_from_the_tracker_store(
    app: FastAPI, signed_in: TestClient, workbench: Settings, conversations: TrackerStore
) -> None:
    queries = ["", "?intent=greet", "?confidence=50", "?since=2026-01-01"]
    from_tracker = {query: page_of(signed_in, query) for query in queries}
    assert [text for _, text, _, _ in from_tracker[""]] == [
        "<b>qwerty</b> zorglub",
        "truc machin bidule",
        "je veux un humain svp",
        "salut la compagnie du mardi",
    ]
    with tracker_engine(conversations.url) as engine:
        backfill(tracker=engine, sessionmaker=app.state.sessionmaker)
    app.state.settings = workbench.model_copy(update={"inbox_source": "events"})
    try:
        conversations.path.unlink()  # the tracker store is not read any more
        for query in queries:
            assert page_of(signed_in, query) == from_tracker[query], query
        key = from_tracker[""][0][0]
        message = signed_in.get(f"/trainer/messages/{key}")
        assert message.status_code == 200
        assert "<b>qwerty</b>" not in message.text and SECRET_TOKEN not in message.text
    finally:
        app.state.settings = workbench


def test_a_decision_taken_on_one_source_hides_the_message_on_the_other(
    app: FastAPI, signed_in: TestClient, from_events: None, workbench: Settings
) -> None:
    before = page_of(signed_in)
    key = before[0][0]
    token = csrf_token(signed_in, f"/trainer/messages/{key}")
    response = signed_in.post(
        f"/trainer/messages/{key}/ecarter", data={"csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303
    assert page_of(signed_in) == before[1:]
    app.state.settings = workbench  # back to Rasa's tracker store
    assert page_of(signed_in) == before[1:]
