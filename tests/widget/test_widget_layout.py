"""The widget as a keyboard and a small screen meet it: nothing fixed hides the focus, the
assistant is reachable from the top of the page, and an empty conversation starts with a word.

Most tests run at 1280 and at 320 px wide (a desktop, a small phone), against the real stack.
"""

import pytest
from playwright.sync_api import Page, expect

from tests.axe import HEIGHT, WIDTHS
from tests.widget.conftest import Stack
from tests.widget.widget import (
    NBSP,
    SKIP_LINK,
    conversation,
    focused,
    open_assistant,
    opener,
    sign_in,
    small_targets,
)

# More than the focusable elements of « Mes paiements » (header, one page of lines, pager).
MAX_TABS = 80


@pytest.fixture(params=WIDTHS, ids=lambda pixels: f"{pixels}px")
def width(request: pytest.FixtureRequest, page: Page) -> int:
    pixels: int = request.param
    page.set_viewport_size({"width": pixels, "height": HEIGHT})
    return pixels


def test_the_opener_is_hidden_while_the_panel_is_open(page: Page, stack: Stack, width: int) -> None:
    sign_in(page, stack.api_url)
    button = opener(page)
    expect(button).to_be_visible()
    open_assistant(page)
    expect(button).to_be_hidden()
    # Not merely out of the accessibility tree: not painted at all, so it covers nothing.
    assert page.locator("#assistant-ouvrir").bounding_box() is None
    page.get_by_role("button", name="Fermer l'assistant").click()
    expect(button).to_be_visible()
    expect(button).to_be_focused()


def test_the_skip_link_opens_the_assistant_within_three_tab_presses(
    page: Page, stack: Stack, width: int
) -> None:
    sign_in(page, stack.api_url)
    for _ in range(3):
        page.keyboard.press("Tab")
        seen = focused(page)
        if seen and seen["text"] == SKIP_LINK:
            break
    assert seen is not None and seen["text"] == SKIP_LINK, seen
    assert seen["seen"], "le lien d'évitement est focalisé mais invisible"
    page.keyboard.press("Enter")
    expect(page.get_by_label("Votre message")).to_be_focused()
    expect(conversation(page)).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("link", name=SKIP_LINK)).to_be_focused()


def tab_through_the_page(page: Page) -> list[dict[str, object]]:
    """Every link and button outside the widget that Tab reaches, until the focus gets to the
    widget, with whether it could be seen (nothing painted over its centre)."""
    visited: list[dict[str, object]] = []
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        seen = focused(page)
        if seen is None:
            continue
        if seen["inWidget"]:
            return visited
        visited.append(seen)
    raise AssertionError(f"le widget n'est pas atteint en {MAX_TABS} tabulations")


def test_nothing_fixed_covers_a_focused_report_button(page: Page, stack: Stack, width: int) -> None:
    sign_in(page, stack.api_url)
    visited = tab_through_the_page(page)
    reports = [seen for seen in visited if seen["report"]]
    assert len(reports) >= 10, visited
    assert [seen["text"] for seen in visited if not seen["seen"]] == []


def test_nothing_fixed_covers_the_end_of_the_page(page: Page, stack: Stack, width: int) -> None:
    """Scrolled to the end, the warning and the footer end above the closed widget's bar."""
    sign_in(page, stack.api_url)
    page.keyboard.press("End")
    page.wait_for_function(
        "() => scrollY + innerHeight >= document.documentElement.scrollHeight - 1"
    )
    bar = opener(page).bounding_box()
    assert bar is not None
    warning = page.get_by_role("complementary", name="Attention aux messages frauduleux")
    for part in (warning, page.locator("body > footer")):
        box = part.bounding_box()
        assert box is not None
        assert box["y"] + box["height"] <= bar["y"], (box, bar)


def test_the_open_panel_never_hides_the_focus(page: Page, stack: Stack, width: int) -> None:
    """Wide, the page makes room for the panel; narrow, the panel is the whole screen and the
    page behind it cannot take the focus."""
    sign_in(page, stack.api_url)
    open_assistant(page)
    if width > 320:
        page.locator("a.skip-link").first.focus()
        visited = tab_through_the_page(page)
        assert len([seen for seen in visited if seen["report"]]) >= 10, visited
        assert [seen["text"] for seen in visited if not seen["seen"]] == []
        return
    for _ in range(12):
        page.keyboard.press("Tab")
        outside = page.evaluate(
            "() => document.activeElement !== document.body"
            " && !document.activeElement.closest('#assistant')"
        )
        assert not outside, focused(page)
        seen = focused(page)
        assert seen is None or seen["seen"], seen


def test_an_empty_conversation_opens_with_a_local_greeting(
    page: Page, stack: Stack, width: int
) -> None:
    sign_in(page, stack.api_url)
    open_assistant(page)
    log = conversation(page)
    messages = log.locator(".chat__msg")
    expect(messages).to_have_count(1)
    expect(messages.first).to_contain_text("Bonjour. Je peux vous aider à signaler")
    assert f"«{NBSP}Information de paiement{NBSP}»" in messages.first.inner_text()
    # Said by the widget: nothing was sent, so nothing is answered.
    page.wait_for_timeout(1500)
    expect(messages).to_have_count(1)
    expect(page.locator(".chat__typing")).to_be_hidden()
    # Closed and opened again, or reloaded, it is not said twice.
    page.keyboard.press("Escape")
    open_assistant(page)
    page.reload()
    expect(messages).to_have_count(1)


def test_the_open_panel_fits_a_small_screen_with_large_targets(page: Page, stack: Stack) -> None:
    page.set_viewport_size({"width": 320, "height": 640})
    sign_in(page, stack.api_url)
    assert small_targets(page) == []
    open_assistant(page)
    panel = page.locator("#assistant-panneau").bounding_box()
    assert panel is not None
    assert panel["x"] >= 0 and panel["x"] + panel["width"] <= 320, panel
    assert panel["y"] >= 0 and panel["y"] + panel["height"] <= 640, panel
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert small_targets(page) == []
    # The privacy notice is one step away, beside the advice on what never to type.
    privacy = page.get_by_role("link", name="Vos données personnelles et l'assistant")
    expect(privacy).to_be_in_viewport()
    expect(privacy).to_have_attribute("href", "/donnees-personnelles")
    expect(page.get_by_label("Votre message")).to_be_in_viewport()
    for name in ("Envoyer", "Fermer l'assistant"):
        expect(page.get_by_role("button", name=name)).to_be_in_viewport()
