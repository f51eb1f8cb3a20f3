"""A policyholder reports a payment through the widget, in Debian's Chromium (Playwright).

`assure3` signs in, clicks « Signaler ce remboursement » beside the ambulance ride that never
took place (the demo's line waiting to be reported), describes the problem, confirms, reads the
reference, finds it again after a reload and under « Mes signalements ». A screenshot of the
widget mid-conversation goes to test-artifacts/.
"""

import re
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Page, expect

from tests.widget.conftest import Stack
from tests.widget.widget import sign_in

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def ambulance_claim(api_url: str) -> dict[str, Any]:
    token = httpx.post(
        f"{api_url}/api/v1/auth/token", data={"username": "assure3", "password": "demo"}
    ).json()["access_token"]
    claims = httpx.get(
        f"{api_url}/api/v1/claims",
        params={"limit": 100},
        headers={"Authorization": f"Bearer {token}"},
    ).json()["items"]
    return next(c for c in claims if c["act"]["code"] == "AMB")


def test_assure3_reports_a_payment_through_the_widget(page: Page, stack: Stack) -> None:
    ride = ambulance_claim(stack.api_url)
    sign_in(page, stack.api_url, "assure3")

    page.locator(f'button.js-report[data-claim-id="{ride["id"]}"]').click()
    log = page.get_by_role("log", name="Conversation avec l'assistant")
    expect(log).to_contain_text("Décrivez en quelques mots")
    expect(log).to_contain_text("Signaler le remboursement du")
    message = page.get_by_label("Votre message")
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("#assistant").screenshot(path=ARTIFACTS / "widget-conversation.png")

    message.fill("Je n'ai jamais pris d'ambulance ce jour-là, ce transport n'a pas eu lieu.")
    message.press("Enter")
    expect(log).to_contain_text("Voici votre signalement")
    expect(log).to_contain_text(ride["provider"]["name"])
    page.get_by_role("button", name="Oui, envoyer").click()
    expect(log).to_contain_text("référence SIG-")
    reference = re.search(r"SIG-\d{4}-\d{6}", log.inner_text())
    assert reference is not None

    # The conversation survives a reload (same tab), then the report is listed.
    page.reload()
    expect(log).to_contain_text(reference[0])
    expect(page.get_by_role("button", name="Oui, envoyer")).to_have_count(0)
    page.get_by_role("link", name="Mes signalements").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes signalements")
    expect(page.locator("ol.my-reports > li").first).to_contain_text(reference[0])
    expect(page.locator("ol.my-reports > li").first).to_contain_text("Reçu")


def test_the_widget_works_with_the_keyboard_at_320_pixels(page: Page, stack: Stack) -> None:
    page.set_viewport_size({"width": 320, "height": 640})
    sign_in(page, stack.api_url)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    opener = page.get_by_role("button", name="Poser une question à l'assistant")
    opener.focus()
    page.keyboard.press("Enter")
    message = page.get_by_label("Votre message")
    expect(message).to_be_focused()
    message.fill("bonjour")
    page.keyboard.press("Enter")
    log = page.get_by_role("log", name="Conversation avec l'assistant")
    expect(log.locator(".chat__msg--bot").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.keyboard.press("Escape")
    expect(opener).to_be_focused()
