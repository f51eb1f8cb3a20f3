"""The widget's states as a conversation goes: where a reopened log stands, which reply buttons
still answer, and what axe-core finds (nothing critical or serious) in each state at 1280 and
320 px: closed, empty, mid-conversation, the summary with its buttons, after filing, and the
error banner when the assistant cannot be reached.
"""

from playwright.sync_api import Page, expect

from tests.axe import DESKTOP, serious_violations_at_every_width, width
from tests.widget.conftest import Stack
from tests.widget.widget import (
    conversation,
    log_scroll,
    open_assistant,
    say,
    sign_in,
    small_targets,
)

DESCRIPTION = "Je n'ai jamais vu ce professionnel ce jour-là, ce soin n'a pas eu lieu."


def start_a_report(page: Page) -> None:
    """From the last line of the page (an ordinary one), up to the summary and its buttons."""
    page.locator("button.js-report").last.click()
    log = conversation(page)
    expect(log).to_contain_text("Décrivez en quelques mots")
    say(page, DESCRIPTION)
    expect(log).to_contain_text("Voici votre signalement")
    expect(page.get_by_role("button", name="Oui, envoyer")).to_be_visible()


def test_a_reopened_conversation_shows_its_newest_message(page: Page, stack: Stack) -> None:
    page.set_viewport_size({"width": 320, "height": 640})
    sign_in(page, stack.api_url, "assure2")
    open_assistant(page)
    for text in ("bonjour", "Comment reconnaître le vrai courriel de paiement ?", "merci"):
        say(page, text)
    assert log_scroll(page)["overflows"], "la conversation doit dépasser de sa zone"

    page.reload()
    expect(conversation(page).locator(".chat__msg").last).to_be_in_viewport()
    assert log_scroll(page)["fromEnd"] <= 2

    # Scrolled back to the start, closed and opened again: at the newest message again.
    page.evaluate("document.querySelector('.chat__log').scrollTop = 0")
    page.get_by_role("button", name="Fermer l'assistant").click()
    open_assistant(page)
    assert log_scroll(page)["fromEnd"] <= 2


def test_earlier_reply_buttons_go_once_a_later_message_is_added(page: Page, stack: Stack) -> None:
    sign_in(page, stack.api_url, "assure2")
    open_assistant(page)
    start_a_report(page)
    send = page.get_by_role("button", name="Oui, envoyer")

    # Answered by typing instead of pressing: the summary's buttons go with the user's message.
    message = page.get_by_label("Votre message")
    message.fill("oui")
    message.press("Enter")
    expect(send).to_have_count(0)
    log = conversation(page)
    expect(log).to_contain_text("référence SIG-")
    # Only the newest message may still offer buttons, and a reload brings none back.
    stale = log.locator(".chat__msg:not(:last-child) .chat__replies")
    expect(stale).to_have_count(0)
    page.reload()
    expect(log).to_contain_text("référence SIG-")
    expect(stale).to_have_count(0)
    expect(send).to_have_count(0)


def test_axe_finds_nothing_serious_in_the_widget_as_a_report_goes(page: Page, stack: Stack) -> None:
    sign_in(page, stack.api_url, "assure1")
    found = {"fermé": serious_violations_at_every_width(page)}
    width(page, DESKTOP)
    open_assistant(page)
    found["vide"] = serious_violations_at_every_width(page)
    width(page, DESKTOP)
    say(page, "bonjour")
    found["en cours"] = serious_violations_at_every_width(page)
    width(page, DESKTOP)
    start_a_report(page)
    found["récapitulatif"] = serious_violations_at_every_width(page)
    assert small_targets(page) == [], "des boutons de moins de 44 px à 320 px"
    width(page, DESKTOP)
    page.get_by_role("button", name="Oui, envoyer").click()
    expect(conversation(page)).to_contain_text("référence SIG-")
    found["après l'envoi"] = serious_violations_at_every_width(page)
    assert {state: lines for state, lines in found.items() if lines} == {}


def test_axe_finds_nothing_serious_in_the_error_banner(
    page_without_assistant: Page, unreachable_api: str
) -> None:
    page = page_without_assistant
    sign_in(page, unreachable_api)
    open_assistant(page)
    expect(page.get_by_role("alert")).to_contain_text("L'assistant est injoignable")
    assert serious_violations_at_every_width(page) == []
