"""The public pages: open to anyone, in French, with the footer every page carries."""

import re

import pytest
from fastapi.testclient import TestClient

from api.accounts.models import Policyholder
from api.core.config import Settings
from api.web.public import pages, submissions
from api.web.public.pages import duration
from api.web.public.router import PUBLIC_ROUTES
from api.web.templating import PAGE_HEADERS
from tests.factories import Factory
from tests.web.helpers import declared_routes, login
from tests.web.markup import Element, duplicate_ids, parse, unlabelled_fields

pytestmark = pytest.mark.usefixtures("db")

NBSP = "\u00a0"
PUBLIC_PAGES = [
    "/",
    "/accessibilite",
    "/donnees-personnelles",
    "/mot-de-passe-oublie",
    "/mot-de-passe-oublie/envoye",
]
FOOTER_LINKS = [
    ("/", "Accueil"),
    ("/accessibilite", f"Accessibilité{NBSP}: partiellement conforme"),
    ("/donnees-personnelles", "Données personnelles"),
]


def squeeze(text: str) -> str:
    """Runs of ordinary white space as one space; no-break spaces kept (they are checked)."""
    return re.sub(r"[ \t\r\n]+", " ", text).strip()


def footer_links(page: Element) -> list[tuple[str, str]]:
    footer = page.find("footer")
    nav = footer.find("nav")
    assert nav.attrs["aria-label"]
    return [(a.attrs["href"], a.text) for a in nav.find("ul").find_all("a")]


def test_every_public_route_is_declared_public() -> None:
    """A route added to the public pages must be declared so, and is then tested here."""
    assert declared_routes(pages.router, submissions.router) == PUBLIC_ROUTES


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_anyone_may_open_the_public_pages(client: TestClient, path: str) -> None:
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    for name, value in PAGE_HEADERS.items():
        assert response.headers[name] == value
    page = parse(response.text)
    assert page.find("html").attrs["lang"] == "fr"
    assert len(page.find_all("h1")) == 1
    assert footer_links(page) == FOOTER_LINKS
    assert unlabelled_fields(page) == [] and duplicate_ids(page) == []


def test_the_home_page_explains_the_service_and_the_genuine_email(client: TestClient) -> None:
    response = client.get("/")
    assert response.template.name == "public/home.html"
    page = parse(response.text)
    sign_in = [a for a in page.find_all("a") if a.text == "Se connecter"]
    assert [a.attrs["href"] for a in sign_in] == ["/connexion"]
    assert "button" in sign_in[0].attrs["class"]
    text = squeeze(page.find("main").text)
    assert "signaler à l'assistant" in text
    assert f"«{NBSP}Information de paiement{NBSP}»" in text
    for advice in (
        "aucun lien",
        "ni montant, ni nature des soins",
        "votre mot de passe, vos coordonnées bancaires ou des informations médicales",
        "par vos propres moyens",
        "ne cliquez sur aucun lien",
        "n'y répondez pas",
        "supprimez-le",
    ):
        assert advice in text, advice
    assert " :" not in text and " ?" not in text and "« " not in text


def test_a_signed_in_visitor_is_offered_their_space(
    client: TestClient, factory: Factory, holder: Policyholder
) -> None:
    login(client, holder.username or "")
    page = parse(client.get("/").text)
    links = {a.text: a.attrs["href"] for a in page.find_all("a")}
    assert links["Aller à mon espace"] == "/compte"
    assert "Se connecter" not in links


def test_the_accessibility_statement_is_honest_and_names_the_recourse(client: TestClient) -> None:
    page = parse(client.get("/accessibilite").text)
    assert page.find("h1").text == "Déclaration d'accessibilité"
    text = squeeze(page.find("main").text)
    assert "partiellement conforme" in text
    assert "RGAA), version\u00a04.1" in text
    assert "axe-core" in text and "1280" in text and "320" in text and "clavier" in text
    assert "décembre\u00a02026" in text
    assert "Défenseur des droits" in text
    headings = [h.text for h in page.find_all("h2")]
    assert "Contenus non accessibles" in headings and "Voies de recours" in headings


def test_the_privacy_notice_quotes_the_retention_settings(
    client: TestClient, settings: Settings
) -> None:
    response = client.get("/donnees-personnelles")
    page = parse(response.text)
    assert page.find("h1").text == "Données personnelles et assistant"
    text = squeeze(page.find("main").text)
    for days in (
        settings.report_retention_days,
        settings.conversation_retention_days,
        settings.notification_retention_days,
        settings.security_event_retention_days,
    ):
        assert duration(days) in text
    for right in ("accéder", "rectifier", "effacer", "limiter", "vous opposer", "CNIL"):
        assert right in text
    assert "détails médicaux" in text
    assert "formateurs" in text and "masqués" in text


def test_durations_read_as_people_say_them() -> None:
    assert duration(1826) == f"1\u202f826{NBSP}jours (environ 5{NBSP}ans)"
    assert duration(180) == f"180{NBSP}jours (environ 6{NBSP}mois)"
    assert duration(30) == f"30{NBSP}jours"


def test_the_footer_is_on_the_sign_in_page_and_the_account_pages(
    client: TestClient, holder: Policyholder
) -> None:
    assert footer_links(parse(client.get("/connexion").text)) == FOOTER_LINKS
    login(client, holder.username or "")
    for path in ("/compte", "/mot-de-passe"):
        assert footer_links(parse(client.get(path).text)) == FOOTER_LINKS, path


@pytest.fixture
def holder(factory: Factory) -> Policyholder:
    return factory.policyholder("camille")


@pytest.mark.parametrize("address", ["/comte", "/accueil/paiements", "/connexion/xyz"])
def test_a_mistyped_address_answers_a_page_that_leads_home(
    client: TestClient, address: str
) -> None:
    response = client.get(address)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    page = parse(response.text)
    assert squeeze(page.find("h1").text) == "Page introuvable"
    assert ("/", "Accueil du site") in [
        (a.attrs.get("href"), squeeze(a.text)) for a in page.find_all("a")
    ]
    # The API's addresses keep answering JSON.
    assert client.get("/api/v1/nothing").json()["code"] == "http_404"
