"""What the widget's browser tests share: signing in, the widget's parts, what a person sees."""

from typing import Any

from playwright.sync_api import Locator, Page, expect

OPENER = "Poser une question à l'assistant"
LOG = "Conversation avec l'assistant"
SKIP_LINK = "Aller à l'assistant"
NBSP = "\u00a0"

# Whether the focused link or button can be seen: what is painted at its centre is itself, not
# a fixed bar over it.
FOCUSED_SEEN = """() => {
    const el = document.activeElement;
    if (!el || !el.matches("a, button")) return null;
    // A link that wraps has a box per line: the centre of each must be the link's own.
    const boxes = Array.from(el.getClientRects()).filter((box) => box.width && box.height);
    const seen = boxes.length > 0 && boxes.every((box) => {
        const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
        return !!hit && el.contains(hit);
    });
    return {
        text: el.textContent.trim(),
        inWidget: !!el.closest("#assistant"),
        report: el.classList.contains("js-report"),
        seen: seen,
    };
}"""

# How far the conversation's scroll box is from its end, and whether it overflows at all.
LOG_SCROLL = """() => {
    const log = document.querySelector(".chat__log");
    return {
        fromEnd: log.scrollHeight - log.scrollTop - log.clientHeight,
        overflows: log.scrollHeight > log.clientHeight + 10,
    };
}"""


# The widget's visible buttons less than 44 px tall (the size of a fingertip on a phone).
SMALL_TARGETS = """() => Array.from(document.querySelectorAll("#assistant button"))
    .filter((button) => button.offsetParent !== null)
    .filter((button) => button.getBoundingClientRect().height < 44)
    .map((button) => button.textContent.trim())"""


def sign_in(page: Page, api_url: str, username: str = "assure1") -> None:
    page.goto(f"{api_url}/connexion")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill("demo")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes paiements")
    # Layout is measured as a person sees it: Chromium paints nothing before the stylesheets,
    # but the markup (and so the heading) can be there before them.
    page.wait_for_load_state("load")


def conversation(page: Page) -> Locator:
    return page.get_by_role("log", name=LOG)


def opener(page: Page) -> Locator:
    return page.get_by_role("button", name=OPENER)


def open_assistant(page: Page) -> Locator:
    """The panel opened with its button; the message field has the focus."""
    opener(page).click()
    message = page.get_by_label("Votre message")
    expect(message).to_be_focused()
    return message


def say(page: Page, text: str) -> None:
    """A message typed and sent; returns once the assistant has answered it."""
    before = conversation(page).locator(".chat__msg--bot").count()
    message = page.get_by_label("Votre message")
    message.fill(text)
    message.press("Enter")
    page.wait_for_function(
        "n => document.querySelectorAll('#assistant .chat__msg--bot').length > n", arg=before
    )
    expect(page.locator(".chat__typing")).to_be_hidden()


def focused(page: Page) -> dict[str, Any] | None:
    seen: dict[str, Any] | None = page.evaluate(FOCUSED_SEEN)
    return seen


def log_scroll(page: Page) -> dict[str, Any]:
    scroll: dict[str, Any] = page.evaluate(LOG_SCROLL)
    return scroll


def small_targets(page: Page) -> list[str]:
    small: list[str] = page.evaluate(SMALL_TARGETS)
    return small
