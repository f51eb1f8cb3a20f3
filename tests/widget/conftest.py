"""The whole stack for the widget's browser test: the API (demo data) and the assistant.

Run from the API environment (Playwright lives there); the action server and Rasa are started
from the bot environment as processes (tests/bot/stack.py). The API's pages point the widget
at this Rasa, and this Rasa lets only those pages open a socket.
"""

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, Page

from tests.bot.stack import free_port, running_api, running_assistant
from tests.browser import launched_chromium, watched_page

SECRET = "widget-test-secret-0123456789-abcdefghijkl"


@dataclass(frozen=True)
class Stack:
    api_url: str
    assistant_url: str


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    workdir = tmp_path_factory.mktemp("stack")
    rasa_port = free_port()
    assistant_url = f"http://127.0.0.1:{rasa_port}"
    with (
        running_api(workdir, SECRET, {"ASSISTANT_URL": assistant_url}) as api_url,
        running_assistant(api_url, workdir, rasa_port=rasa_port),
    ):
        yield Stack(api_url, assistant_url)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with launched_chromium() as chromium:
        yield chromium


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    with watched_page(browser, timeout_ms=30_000) as tab:
        yield tab
