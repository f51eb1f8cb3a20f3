"""The queue page and a report's related table in Chromium: axe-core finds no critical or
serious violation at 1280 and 320 px (tests/web/test_accessibility.py's rule, for the pages
issue 18 added or reshaped)."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Page
from sqlalchemy.orm import Session

from api.accounts.models import StaffRole
from api.claims.catalogue import ProviderKind
from tests.axe import serious_violations_at_every_width
from tests.browser import watched_page
from tests.factories import PASSWORD, Factory
from tests.web.agent.helpers import TODAY, file

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    with watched_page(browser, timeout_ms=15_000) as tab:
        yield tab


def test_the_queue_and_the_related_table_pass_axe(
    page: Page, live_server: str, factory: Factory, db: Session
) -> None:
    factory.staff(StaffRole.AGENT, "agnes", full_name="Agnès Fontaine")
    ambulance = factory.provider("Ambulances du Rhône", ProviderKind.MEDICAL_TRANSPORT)
    reports = []
    for days in (4, 5, 6):
        holder = factory.policyholder()
        claim = factory.claim(holder, ambulance, TODAY - timedelta(days=days), "AMB")
        reports.append(file(db, holder.id, claim=claim, provider_name="l'ambulance"))
    page.goto(f"{live_server}/connexion")
    page.get_by_label("Identifiant").fill("agnes")
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(lambda url: "/connexion" not in url)
    for path in ("/agent/priorites", f"/agent/signalements/{reports[0].reference}"):
        response = page.goto(f"{live_server}{path}")
        assert response is not None and response.status == 200, path
        assert serious_violations_at_every_width(page) == [], path
