"""The console in a real browser: Debian's Chromium, headless, driven by Playwright.

An agent signs in, filters the list, opens a report, changes its status, adds a note and sees
both in the history. Chromium comes from `scripts/ensure-browser.sh` (`make test` runs it):
when it is missing these tests fail, they are never skipped.
"""

import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy.orm import Session

from api.accounts.models import StaffRole
from api.claims.catalogue import ProviderKind
from api.core.config import PROJECT_ROOT
from tests.browser import watched_page
from tests.factories import PASSWORD, Factory
from tests.web.agent.helpers import TODAY, file

pytestmark = pytest.mark.browser

ARTIFACTS = Path(PROJECT_ROOT) / "test-artifacts"
BACKEND = os.environ.get("TEST_DATABASE", "sqlite")


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    with watched_page(browser, timeout_ms=15_000) as tab:
        yield tab


def test_agent_filters_opens_a_report_changes_its_status_and_adds_a_note(
    page: Page, live_server: str, factory: Factory, db: Session
) -> None:
    factory.staff(StaffRole.AGENT, "agnes", full_name="Agnès Fontaine")
    holder = factory.policyholder(first_name="Camille", last_name="Bernard")
    dentist = factory.provider("Dr Hélène Garnier", ProviderKind.DENTIST)
    claim = factory.claim(holder, dentist, TODAY - timedelta(days=12), "HBLD036")
    report = file(
        db,
        holder.id,
        claim=claim,
        provider_name="Dr Garnier",
        anomaly_type="billed_more_than_performed",
        description="<script>alert('couronne')</script> On m'a facturé une couronne.",
    )
    file(db, holder.id, description="Un transport jamais effectué.")

    page.goto(f"{live_server}/agent/signalements")
    expect(page).to_have_url(f"{live_server}/connexion?next=%2Fagent%2Fsignalements")
    page.get_by_label("Identifiant").fill("agnes")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Signalements")

    page.get_by_label("Texte de la description").fill("couronne")
    page.get_by_label("Statut", exact=True).select_option("received")
    page.get_by_role("button", name="Filtrer").click()
    rows = page.locator("table.reports tbody tr")
    expect(rows).to_have_count(1)
    page.get_by_role("link", name=report.reference).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(report.reference)
    expect(page.locator("p.description")).to_contain_text("<script>alert('couronne')</script>")

    page.get_by_label("Nouveau statut").select_option(label="En cours d'examen")
    page.get_by_role("button", name="Changer le statut").click()
    expect(page.get_by_role("status").first).to_have_text(
        "Statut modifié : « Reçu » → « En cours d'examen »."
    )
    page.get_by_label("Note pour l'historique").fill("Appeler le cabinet lundi.")
    page.get_by_role("button", name="Ajouter la note").click()
    expect(page.get_by_role("status").first).to_have_text("Note ajoutée à l'historique.")

    history = page.locator("section[aria-labelledby=historique] li")
    expect(history).to_have_count(3)
    expect(history.nth(1)).to_contain_text(
        "Agnès Fontaine : Statut « Reçu » → « En cours d'examen »"
    )
    expect(history.nth(2)).to_contain_text("Agnès Fontaine : Note")
    expect(history.nth(2)).to_contain_text("Appeler le cabinet lundi.")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"agent-console-{BACKEND}.png", full_page=True)


def test_the_console_is_usable_320_pixels_wide(
    page: Page, live_server: str, factory: Factory, db: Session
) -> None:
    factory.staff(StaffRole.AGENT, "agnes")
    holder = factory.policyholder()
    claim = factory.claim(holder, factory.provider("Dr Hélène Garnier"), TODAY)
    report = file(db, holder.id, claim=claim, description="Très " * 80)
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{live_server}/connexion")
    page.get_by_label("Identifiant").fill("agnes")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tableau de bord")
    for path in (
        "/agent",
        "/agent/signalements",
        f"/agent/signalements/{report.reference}",
        f"/agent/professionnels/{claim.provider_id}",
    ):
        page.goto(f"{live_server}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, (path, width)
    # The skip link appears on focus and leads to the content.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Aller au contenu")).to_be_focused()
