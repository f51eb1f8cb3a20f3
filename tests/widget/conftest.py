"""The whole stack for the widget's browser test: the API (demo data) and the assistant.

Run from the API environment (Playwright lives there); the action server and Rasa are started
from the bot environment as processes (tests/bot/stack.py). The API's pages point the widget
at this Rasa, and this Rasa lets only those pages open a socket. A second API, without an
assistant, shows the widget when the assistant cannot be reached.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Dialog, Page

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


@pytest.fixture(scope="session")
def unreachable_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The API (demo data) whose pages point the widget at an assistant that is not there: a
    loopback port nothing listens on, allowed by the page's CSP like the real one."""
    workdir = tmp_path_factory.mktemp("unreachable")
    nowhere = f"http://127.0.0.1:{free_port()}"
    with running_api(workdir, SECRET, {"ASSISTANT_URL": nowhere}) as api_url:
        yield api_url


# What Chromium logs, as errors, each time the widget tries that port again.
REFUSED_SOCKET = re.compile(
    r"^WebSocket connection to 'ws://127\.0\.0\.1:\d+/socket\.io/\S*' failed"
)


@pytest.fixture
def page_without_assistant(browser: Browser) -> Iterator[Page]:
    """A fresh page in French where the refused socket is the one error expected: any other
    console error, or a dialog, fails the test."""
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris")
    context.set_default_timeout(30_000)
    tab = context.new_page()
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" and not REFUSED_SOCKET.match(message.text):
            problems.append(message.text)

    def on_dialog(dialog: Dialog) -> None:
        problems.append(f"dialog: {dialog.message}")
        dialog.dismiss()

    tab.on("console", on_console)
    tab.on("dialog", on_dialog)
    yield tab
    context.close()
    assert problems == [], problems
