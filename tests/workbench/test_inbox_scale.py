"""The inbox over the whole store: pages by keyset, identical texts grouped, answers to the
form's question not taken for misunderstandings, a message in its conversation, and intents
named in French. Each test runs on both sources (Rasa's tracker store, `conversation_event`)."""

import json
import sqlite3
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.core.config import Settings
from api.core.tracker_store import tracker_engine
from api.events.backfill import backfill
from tests.web.markup import parse
from tests.workbench.support import TrackerStore

QUESTION = "Quel professionnel de santé ou quel établissement apparaît sur cette ligne"


def assistant_asks(tracker: TrackerStore, response: str, sender: str = "assure-1-abc") -> None:
    """A bot event as Rasa 3.6 stores it: the response's name in its metadata."""
    tracker.clock += 1
    data = {"event": "bot", "timestamp": tracker.clock, "text": None}
    data["metadata"] = {"utter_action": response}
    with sqlite3.connect(tracker.path) as connection:
        connection.execute(
            "INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, 'bot', ?, ?)",
            (sender, tracker.clock, json.dumps(data)),
        )


@pytest.fixture(params=["tracker", "events"])
def source(
    request: pytest.FixtureRequest, app: FastAPI, workbench: Settings, tracker: TrackerStore
) -> Iterator[str]:
    """Which table the inbox reads; `events` copies the tracker store when the test calls."""
    yield request.param
    app.state.settings = workbench


def switch(app: FastAPI, workbench: Settings, tracker: TrackerStore, source: str) -> None:
    if source == "events":
        with tracker_engine(tracker.url) as engine:
            backfill(tracker=engine, sessionmaker=app.state.sessionmaker)
        app.state.settings = workbench.model_copy(update={"inbox_source": "events"})


def walk(client: TestClient, url: str) -> list[list[str]]:
    """Every page from `url`, following « Messages plus anciens »."""
    pages: list[list[str]] = []
    next_url: str | None = url
    while next_url:
        response = client.get(next_url)
        assert response.status_code == 200
        pages.append([m.text for m in response.context["inbox_messages"]])
        next_url = response.context["next_url"]
        assert len(pages) < 10
    return pages


def test_pages_follow_each_other_with_no_message_lost_or_repeated(
    app: FastAPI, signed_in: TestClient, workbench: Settings, tracker: TrackerStore, source: str
) -> None:
    for number in range(120):
        tracker.user_says(f"message numéro {number}", "greet", 0.5)
    for number in range(3):  # the same instant: the row's id breaks the tie
        tracker.user_says(f"en même temps {number}", "greet", 0.5, timestamp=tracker.clock)
    switch(app, workbench, tracker, source)
    pages = walk(signed_in, "/trainer/messages")
    texts = [text for page in pages for text in page]
    assert [len(page) for page in pages] == [50, 50, 23]
    assert sorted(texts) == sorted(
        [f"message numéro {n}" for n in range(120)] + [f"en même temps {n}" for n in range(3)]
    )
    # Filters are kept from page to page.
    filtered = walk(signed_in, "/trainer/messages?contains=num%C3%A9ro+11")
    assert sorted(t for page in filtered for t in page) == sorted(
        ["message numéro 11", *[f"message numéro {n}" for n in range(110, 120)]]
    )
    second = signed_in.get("/trainer/messages").context["next_url"]
    assert "apres" in parse_qs(urlsplit(second).query)


def test_identical_texts_are_grouped_with_their_count_and_last_date(
    app: FastAPI, signed_in: TestClient, workbench: Settings, tracker: TrackerStore, source: str
) -> None:
    tracker.user_says("Je ne sais pas", "nlu_fallback", 0.2)
    tracker.user_says("je ne sais pas ", "nlu_fallback", 0.25, sender="assure-2-b")
    tracker.user_says("c'est un autre message", "greet", 0.4)
    tracker.user_says("JE NE SAIS PAS", "nlu_fallback", 0.3, sender="assure-3-c")
    switch(app, workbench, tracker, source)
    response = signed_in.get("/trainer/messages?view=groupes")
    assert response.status_code == 200
    groups = [(g.message.text, g.count) for g in response.context["groups"]]
    assert groups == [("JE NE SAIS PAS", 3), ("c'est un autre message", 1)]
    assert response.context["groups"][0].latest.timestamp() == tracker.clock
    assert "3\u00a0fois" in parse(response.text).text


def test_an_answer_to_the_form_question_is_not_a_misunderstanding(
    app: FastAPI, signed_in: TestClient, workbench: Settings, tracker: TrackerStore, source: str
) -> None:
    assistant_asks(tracker, "utter_ask_provider")
    tracker.user_says("Dr Martinez-Lopez", "nlu_fallback", 0.3)
    tracker.user_says("blablabla zorglub", "nlu_fallback", 0.2, sender="assure-2-b")
    switch(app, workbench, tracker, source)
    response = signed_in.get("/trainer/messages")
    shown = {m.text: m for m in response.context["inbox_messages"]}
    assert (
        shown["Dr Martinez-Lopez"].answers_question and not shown["Dr Martinez-Lopez"].misunderstood
    )
    assert shown["blablabla zorglub"].misunderstood
    rows = {
        row.find("th").text: row.find_all("td")[0].text
        for row in parse(response.text).find("table").find_all("tr")
        if row.find_all("td")
    }
    assert rows["Dr Martinez-Lopez"].startswith(f"Réponse à la question «\u00a0{QUESTION}")
    assert rows["blablabla zorglub"] == "Non comprise"
    only = signed_in.get("/trainer/messages?misunderstood=1").context["inbox_messages"]
    assert [m.text for m in only] == ["blablabla zorglub"]
    grouped = signed_in.get("/trainer/messages?view=groupes&misunderstood=1").context["groups"]
    assert [g.message.text for g in grouped] == ["blablabla zorglub"]


def test_the_message_page_shows_the_conversation_around_it(
    app: FastAPI, signed_in: TestClient, workbench: Settings, tracker: TrackerStore, source: str
) -> None:
    assistant_asks(tracker, "utter_ask_provider")
    tracker.user_says("je ne sais pas <b>trop</b>", "nlu_fallback", 0.3)
    assistant_asks(tracker, "utter_ask_act_description")
    tracker.user_says("une consultation jamais faite", "inform", 0.8)
    tracker.user_says("autre conversation", "greet", 0.9, sender="assure-2-b")
    switch(app, workbench, tracker, source)
    inbox = signed_in.get("/trainer/messages").context["inbox_messages"]
    message = next(m for m in inbox if m.text.startswith("je ne sais pas"))
    response = signed_in.get(f"/trainer/messages/{message.ref}")
    assert response.status_code == 200
    surroundings = response.context["surroundings"]
    assert [t.text for t in surroundings.before] == [QUESTION + _tail("utter_ask_provider")]
    assert [(t.speaker, t.text[:10]) for t in surroundings.after] == [
        ("assistant", "Décrivez e"),
        ("user", "une consult"[:10]),
    ]
    assert "<b>trop</b>" not in response.text and "&lt;b&gt;trop&lt;/b&gt;" in response.text
    assert "autre conversation" not in response.text


def _tail(response: str) -> str:
    """What follows the question in the domain's wording of `response`."""
    from api.training.inbox_context import response_text
    from tests.workbench.support import ROOT

    return response_text(ROOT, response).removeprefix(QUESTION)


def test_intents_are_named_in_french_with_their_identifier_second(
    app: FastAPI, signed_in: TestClient, workbench: Settings, tracker: TrackerStore, source: str
) -> None:
    tracker.user_says("coucou tout le monde", "greet", 0.6)
    switch(app, workbench, tracker, source)
    inbox = signed_in.get("/trainer/messages")
    document = parse(inbox.text)
    cell = document.select_class("span", "intent")[0]
    assert cell.select_class("span", "intent__label")[0].text == "Saluer"
    assert cell.find("code").text == "greet"
    options = [o.text for o in document.find("select", id="intent").find_all("option")]
    assert "Saluer (greet)" in options
    key = inbox.context["inbox_messages"][0].ref
    page = parse(signed_in.get(f"/trainer/messages/{key}").text)
    assert "Saluer (greet)" in [o.text for o in page.find("select", id="intent").find_all("option")]
    assert "Bonjour, bonsoir, salut." in page.text
    intents = parse(signed_in.get("/trainer/intentions").text).text
    assert (
        "Signaler un remboursement suspect" in intents
        and "report_suspicious_reimbursement" in intents
    )
    intent = signed_in.get("/trainer/intentions/greet").text
    assert '<h1>Intention <span class="intent"><span class="intent__label">Saluer' in intent
