"""Debian's Chromium driven by Playwright, shared by every browser test (no browser download).

When Chromium is missing the tests fail with a clear message; they are never skipped.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Dialog, Page, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags, Chromium tries hosts this closed network refuses.
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


@contextmanager
def launched_chromium() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium est introuvable ({CHROMIUM}) : installez-le avec scripts/ensure-browser.sh "
            "(make test le fait avant les tests)."
        )
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@contextmanager
def watched_page(browser: Browser, *, timeout_ms: int) -> Iterator[Page]:
    """A fresh context in French; script errors (CSP refusals included) and dialogs fail."""
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris")
    context.set_default_timeout(timeout_ms)
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
