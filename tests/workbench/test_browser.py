"""The workbench in a real browser (Debian's Chromium through Playwright), on a phone's width.

A trainer signs in with the keyboard, opens a message of the inbox, queues a training and
follows its progress as trainer.js refreshes it in the page's live region, without reloading.
"""

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.accounts.models import StaffUser
from api.core.config import Settings
from api.training import service
from api.training.models import RunState, TrainingRun
from tests.browser import watched_page
from tests.factories import PASSWORD
from tests.workbench.support import TrackerStore

pytestmark = pytest.mark.browser

PHONE: ViewportSize = {"width": 375, "height": 740}


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    with watched_page(browser, timeout_ms=15_000) as tab:
        tab.set_viewport_size(PHONE)
        yield tab


def fits_the_screen(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_a_trainer_follows_a_training_live_on_a_phone(
    page: Page,
    live_server: str,
    workbench: Settings,
    tracker: TrackerStore,
    trainer: StaffUser,
    db: Session,
) -> None:
    tracker.user_says("<b>zorglub</b> remboursé deux fois", "nlu_fallback", 0.21)

    page.goto(f"{live_server}/trainer/messages")
    page.get_by_label("Identifiant").fill(trainer.username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.keyboard.press("Enter")
    # The sign-in page has a heading too: wait for the inbox's own before measuring it.
    expect(page.get_by_role("heading", level=1, name="Messages à revoir")).to_be_visible()
    assert fits_the_screen(page)

    # The message as typed, shown as text; its page offers the annotation.
    link = page.get_by_role("link", name="<b>zorglub</b> remboursé deux fois")
    expect(link).to_be_visible()
    link.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name="Annoter un message")).to_be_visible()
    expect(page.locator("b", has_text="zorglub")).to_have_count(0)
    assert fits_the_screen(page)

    page.goto(f"{live_server}/trainer")
    page.get_by_role("button", name="Lancer un entraînement").click()
    status = page.locator("#etat-entrainement")
    expect(status).to_contain_text("En attente")
    expect(status).to_have_attribute("aria-live", "polite")
    assert fits_the_screen(page)

    # The worker's progress reaches the open page by itself.
    run = db.scalars(select(TrainingRun)).one()
    service.set_progress(
        session=db,
        run_id=run.id,
        phase="Apprentissage des intentions",
        progress=50,
        state=RunState.TRAINING,
    )
    db.commit()
    expect(status).to_contain_text("Entraînement en cours")
    expect(status).to_contain_text("Apprentissage des intentions")
    expect(page.locator("progress")).to_have_js_property("value", 50)

    service.fail_run(
        session=db,
        run_id=run.id,
        error="Rasa s'est arrêté en erreur (code 1) : voir le journal.",
        now=datetime.now(UTC),
    )
    db.commit()
    done = page.get_by_role("link", name="L'entraînement est terminé : afficher le résultat")
    expect(done).to_be_visible()
    done.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").first).to_contain_text("Échec : Rasa s'est arrêté")


def test_the_preview_says_rasa_is_checking_while_the_trainer_waits(
    page: Page, live_server: str, workbench: Settings, tracker: TrackerStore, trainer: StaffUser
) -> None:
    tracker.user_says("zorglub facturé trois fois", "nlu_fallback", 0.21)
    page.goto(f"{live_server}/trainer/intentions/greet")
    page.get_by_label("Identifiant").fill(trainer.username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Saluer")
    # The navigation held back, as the page stays while Rasa validates (about 10 s).
    page.evaluate("document.addEventListener('submit', (event) => event.preventDefault())")
    form = page.locator("form[data-slow-check]")
    form.get_by_role("textbox").first.fill("coucou zorglub")
    form.get_by_role("button", name="Voir la modification").focus()
    page.keyboard.press("Enter")
    status = form.get_by_role("status")
    expect(status).to_contain_text("Vérification par Rasa en cours")
    expect(status).to_have_attribute("aria-live", "polite")
    expect(status.locator("progress")).to_have_count(1)
