"""axe-core on every page, at 1280 and 320 px: no critical and no serious WCAG 2.x A/AA violation.

Each page is opened in Debian's Chromium by the role that uses it, signed in through the real
sign-in page, over data made by the factories: the agents' console, the trainers' workbench
(over a copy of the assistant's files and a tracker store, no Rasa), the public pages and the
policyholder's pages, the chat widget left closed (tests/widget runs axe on it, with Rasa). A
page that does not exist yet fails and says so: it is never skipped.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from playwright.sync_api import Browser, ConsoleMessage, Page
from sqlalchemy.orm import Session

from api.accounts.models import StaffRole
from api.claims.catalogue import ProviderKind
from api.core.config import Settings
from api.events import service as events_service
from api.events.records import build_record
from api.training import service as training_service
from tests.axe import serious_violations_at_every_width
from tests.factories import PASSWORD, Factory
from tests.web.agent.helpers import TODAY, file
from tests.workbench.support import TrackerStore, copy_assistant, pointed_at_files

pytestmark = pytest.mark.browser

NOW = datetime.now(UTC)
USERNAMES = {"agent": "agnes", "admin": "adele", "trainer": "thomas", "policyholder": "camille"}
INBOX = "/trainer/messages"
REPORTS_FOR_TWO_PAGES = 26
EVALUATION = {
    "intents": [
        {
            "intent": "greet",
            "new": {"precision": 1.0, "recall": 0.5, "f1": 0.667, "support": 2},
            "old": {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2},
        }
    ],
    "accuracy": {"new": 0.75, "old": 0.5},
    "matrix": {"labels": ["goodbye", "greet"], "rows": [[2, 0], [1, 1]]},
    "changed": [{"text": "salut", "expected": "greet", "before": "goodbye", "after": "greet"}],
    "matrix_png": None,
    "test_size": 4,
    "serving_model": "vigilance.tar.gz",
}


@dataclass(frozen=True)
class Visit:
    """A page as `role` opens it (None: nobody signed in); `{name}` parts come from the data."""

    path: str
    role: str | None
    status: int = 200

    def __str__(self) -> str:
        return f"{self.role or 'public'}:{self.path}"


VISITS = [
    # The agents' console (an admin's too: the security page).
    Visit("/agent", "agent"),
    Visit("/agent/signalements", "agent"),
    Visit("/agent/signalements?status=received&q=rendez-vous&sort=care_date", "agent"),
    Visit("/agent/signalements?care_from=hier&status=nope", "agent"),
    Visit("/agent/signalements?page=2", "agent"),
    Visit("/agent/signalements/{report}", "agent"),
    Visit("/agent/professionnels/{provider}", "agent"),
    Visit("/agent/priorites", "agent"),
    Visit("/agent/priorites?anomaly_type=not_performed", "agent"),
    Visit("/agent/securite", "admin"),
    # The trainers' workbench.
    Visit("/trainer", "trainer"),
    Visit(INBOX, "trainer"),
    Visit("{message}", "trainer"),
    Visit("/trainer/intentions", "trainer"),
    Visit("/trainer/intentions/greet", "trainer"),
    Visit("/trainer/statistiques", "trainer"),
    Visit("/trainer/journal", "trainer"),
    Visit("/trainer/entrainements/{run}", "trainer"),
    Visit("/trainer/modeles/{model}", "trainer"),
    # Every role's pages.
    Visit("/connexion", None),
    Visit("/mot-de-passe", "agent"),
    Visit("/agent/page-inexistante", "agent", 404),
    Visit("/trainer", "agent", 403),
    # Public pages and the policyholder's (being written for issue 17 at the same time).
    Visit("/", None),
    Visit("/accessibilite", None),
    Visit("/donnees-personnelles", None),
    Visit("/mot-de-passe-oublie", None),
    Visit("/compte", "policyholder"),
    Visit("/compte/signalements", "policyholder"),
    Visit("/compte/signalements/{report}", "policyholder"),
    Visit("/compte/preferences", "policyholder"),
]


@pytest.fixture
def page(browser: Browser) -> Iterator[tuple[Page, list[str]]]:
    """A French tab and the script errors it logs (the test decides which it expects)."""
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris")
    context.set_default_timeout(15_000)
    tab = context.new_page()
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    tab.on("console", on_console)
    yield tab, errors
    context.close()


@pytest.fixture
def scene(
    app: FastAPI, settings: Settings, factory: Factory, db: Session, tmp_path: Path
) -> Iterator[dict[str, str]]:
    """One of each thing the pages show; the values fill the `{name}` parts of the paths."""
    factory.staff(StaffRole.AGENT, USERNAMES["agent"], full_name="Agnès Fontaine")
    factory.staff(StaffRole.ADMIN, USERNAMES["admin"], full_name="Adèle Roux")
    trainer = factory.staff(StaffRole.TRAINER, USERNAMES["trainer"], full_name="Thomas Girard")
    holder = factory.policyholder(USERNAMES["policyholder"], first_name="Camille")
    dentist = factory.provider("Dr Hélène Garnier", ProviderKind.DENTIST)
    claim = factory.claim(holder, dentist, TODAY - timedelta(days=12), "HBLD036")
    report = file(db, holder.id, claim=claim, provider_name="Dr Garnier")
    for day in range(REPORTS_FOR_TWO_PAGES):  # the lists paginate
        file(db, holder.id, care_date=TODAY - timedelta(days=day), via_assistant=day % 2 == 0)
    said = {"event": "user", "text": "remboursé deux fois", "timestamp": NOW.timestamp()}
    said["parse_data"] = {"intent": {"name": "nlu_fallback", "confidence": 0.3}}
    events_service.store_events(session=db, records=[build_record("assure-1-abc", said)])
    run = training_service.queue_run(session=db, actor_id=trainer.id, now=NOW)
    model = training_service.finish_run(
        session=db, run=run, model_path="/nowhere/model.tar.gz", evaluation=EVALUATION, now=NOW
    )
    db.commit()
    tracker = TrackerStore(tmp_path / "tracker.db")
    tracker.create()
    tracker.user_says("zorglub remboursé deux fois", "nlu_fallback", 0.21)
    tracker.user_says("bonjour", "greet", 0.55)
    assistant = copy_assistant(tmp_path / "assistant")
    with pointed_at_files(app, settings, tmp_path, assistant, tracker.url):
        yield {
            "report": report.reference,
            "provider": str(claim.provider_id),
            "run": str(run.id),
            "model": model.version,
        }


def sign_in(page: Page, live_server: str, role: str) -> None:
    page.goto(f"{live_server}/connexion")
    page.get_by_label("Identifiant").fill(USERNAMES[role])
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(lambda url: "/connexion" not in url)


def resolved(page: Page, live_server: str, visit: Visit, scene: dict[str, str]) -> str:
    if visit.path == "{message}":  # a message's key is read from the inbox, as a trainer would
        page.goto(f"{live_server}{INBOX}")
        link = page.locator(f"main a[href^='{INBOX}/']").first
        return str(link.get_attribute("href"))
    return visit.path.format(**scene)


@pytest.mark.parametrize("visit", VISITS, ids=str)
def test_no_serious_violation_at_1280_and_320_pixels(
    page: tuple[Page, list[str]], live_server: str, scene: dict[str, str], visit: Visit
) -> None:
    tab, errors = page
    if visit.role:
        sign_in(tab, live_server, visit.role)
    path = resolved(tab, live_server, visit, scene)
    response = tab.goto(f"{live_server}{path}")
    assert response is not None
    if response.status == 404 and visit.status != 404:
        pytest.fail(f"{path} n'existe pas (404) : la page est attendue (issue 17).")
    assert response.status == visit.status, (path, response.status)
    assert "text/html" in response.headers.get("content-type", ""), path
    assert serious_violations_at_every_width(tab) == []
    # Only the page's own status may be logged (Chromium logs any answer of 400 or more).
    expected = [] if visit.status < 400 else [f"status of {visit.status}"]
    assert [e for e in errors if not any(s in e for s in expected)] == []
