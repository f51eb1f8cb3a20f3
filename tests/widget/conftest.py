"""The whole stack for the widget's browser test: the API (demo data) and the assistant.

Run from the API environment (Playwright lives there); the action server and Rasa are started
from the bot environment as processes (tests/bot/stack.py). The API's pages point the widget
at this Rasa, and this Rasa lets only those pages open a socket.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Dialog, Page, sync_playwright

from tests.bot.stack import free_port, running_api, running_assistant

SECRET = "widget-test-secret-0123456789-abcdefghijkl"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


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
        running_assistant(api_url, SECRET, workdir, rasa_port=rasa_port),
    ):
        yield Stack(api_url, assistant_url)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium est introuvable ({CHROMIUM}) : installez-le avec scripts/ensure-browser.sh "
            "(make test le fait avant les tests)."
        )
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh context in French; script errors (CSP refusals included) and dialogs fail."""
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris")
    context.set_default_timeout(30_000)
    tab = context.new_page()
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(message.text)

    def on_dialog(dialog: Dialog) -> None:
        problems.append(f"dialog: {dialog.message}")
        dialog.dismiss()

    tab.on("console", on_console)
    tab.on("dialog", on_dialog)
    yield tab
    context.close()
    assert problems == [], problems
