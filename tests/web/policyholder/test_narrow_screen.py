"""The account pages on a 320-pixel phone, in Chromium: nothing scrolls sideways, a report's
status is in view, and a payment's date and provider stay in view next to its button."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Page
from sqlalchemy.orm import Session

from api.claims.catalogue import ProviderKind
from tests.browser import watched_page
from tests.factories import PASSWORD, Factory
from tests.web.agent.helpers import TODAY, file

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    with watched_page(browser, timeout_ms=15_000) as tab:
        tab.set_viewport_size({"width": 320, "height": 640})
        yield tab


def no_sideways_scroll(page: Page) -> bool:
    width: bool = page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    return width


def in_view(page: Page, selector: str) -> bool:
    box = page.locator(selector).first.bounding_box()
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 320


def test_the_account_pages_fit_a_320_pixel_screen(
    page: Page, live_server: str, factory: Factory, db: Session
) -> None:
    holder = factory.policyholder("camille", first_name="Camille", last_name="Bernard")
    clinic = factory.provider(
        "Centre de santé dentaire mutualiste de la Croix-Rousse", ProviderKind.DENTIST
    )
    claims = [factory.claim(holder, clinic, TODAY - timedelta(days=d), "HBLD036") for d in (3, 9)]
    report = file(
        db, holder.id, claim=claims[0], anomaly_type="billed_more_than_performed", description="x"
    )
    page.goto(f"{live_server}/connexion")
    page.get_by_label("Identifiant").fill("camille")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{live_server}/compte")
    assert no_sideways_scroll(page)
    button = page.locator("button.js-report").first
    button.focus()
    row = page.locator("table.payments tbody tr").nth(1)
    for cell in ("td.payments__date", "td.payments__provider"):
        assert row.locator(cell).is_visible()
        assert in_view(page, f"table.payments tbody tr:nth-child(2) {cell}")
    assert in_view(page, "table.payments tbody tr:nth-child(1) p.reported")

    for path in ("/compte/signalements", f"/compte/signalements/{report.reference}"):
        page.goto(f"{live_server}{path}")
        assert no_sideways_scroll(page), path
        assert in_view(page, "span.badge"), path
    page.goto(f"{live_server}/compte/preferences")
    assert no_sideways_scroll(page)
