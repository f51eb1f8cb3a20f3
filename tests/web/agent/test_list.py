"""The report list: every filter, the sorts, page links that keep the filters, bad values
reported next to their field."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import true
from sqlalchemy.orm import Session

from api.accounts.models import StaffRole, StaffUser
from api.reports.listing import ReportFilters, SortKey, find_reports
from api.reports.models import Report
from api.reports.workflow import AnomalyType, ReportStatus
from tests.factories import Factory
from tests.web.agent.helpers import TODAY, file, utc
from tests.web.markup import parse

LIST = "/agent/signalements"


def refs(client: TestClient, **params: object) -> list[str]:
    response = client.get(LIST, params=params)
    assert response.status_code == 200, response.text
    assert response.template.name == "agent/reports.html"
    assert response.context["query"].errors == {}
    return [r.reference for r in response.context["reports"]]


@pytest.fixture
def colleague(factory: Factory) -> StaffUser:
    return factory.staff(StaffRole.AGENT)


@pytest.fixture
def reports(
    factory: Factory, db: Session, agent: StaffUser, colleague: StaffUser
) -> dict[str, Report]:
    a, b = factory.policyholder(), factory.policyholder()
    dentist = factory.provider("Dr Hélène Garnier")
    crown = file(
        db,
        a.id,
        claim=factory.claim(a, dentist, TODAY - timedelta(days=40)),
        provider_name="Dr Hélène Garnier",
        description="Une couronne jamais posée",
        anomaly_type="billed_more_than_performed",
        # 23:30 UTC is already the next day in Paris (summer and winter time alike).
        created_at=utc(TODAY - timedelta(days=11), 23, 30),
    )
    twice = file(
        db,
        b.id,
        care_date=TODAY - timedelta(days=20),
        provider_name="Pharmacie du Centre",
        description="Boîte facturée DEUX fois",
        anomaly_type="billed_twice",
        created_at=utc(TODAY - timedelta(days=5), 9),
    )
    taxi = file(
        db,
        b.id,
        care_date=TODAY - timedelta(days=2),
        provider_name="Taxi 100% Bleu",
        description="Trajet jamais fait",
        created_at=utc(TODAY - timedelta(days=1), 9),
    )
    crown.assigned_to_id = agent.id
    twice.assigned_to_id = colleague.id
    twice.status = ReportStatus.IN_REVIEW
    db.commit()
    return {"crown": crown, "twice": twice, "taxi": taxi}


def test_every_filter(
    signed_in: TestClient, reports: dict[str, Report], colleague: StaffUser
) -> None:
    crown, twice, taxi = (reports[k].reference for k in ("crown", "twice", "taxi"))
    assert refs(signed_in) == [taxi, twice, crown]  # newest first
    assert refs(signed_in, status="in_review") == [twice]
    assert refs(signed_in, anomaly_type="billed_twice") == [twice]
    assert refs(signed_in, q="deux fois") == [twice]
    assert refs(signed_in, q="100%") == []  # % is a character, not a wildcard
    assert refs(signed_in, provider="helene") == [crown]
    assert refs(signed_in, provider="100%") == [taxi]
    crown_claim = reports["crown"].claim
    assert crown_claim is not None
    assert refs(signed_in, provider_id=crown_claim.provider_id) == [crown]
    assert refs(signed_in, claim_id=reports["crown"].claim_id) == [crown]
    assert refs(signed_in, assigned="me") == [crown]
    assert refs(signed_in, assigned="none") == [taxi]
    assert refs(signed_in, assigned=colleague.id) == [twice]
    day = TODAY - timedelta(days=10)  # the Paris day of the crown report
    assert refs(signed_in, received_from=day.isoformat(), received_to=day.isoformat()) == [crown]
    assert refs(signed_in, received_to=(day - timedelta(days=1)).isoformat()) == []
    assert refs(signed_in, received_from=(TODAY - timedelta(days=5)).isoformat()) == [taxi, twice]
    assert refs(signed_in, care_from=(TODAY - timedelta(days=25)).isoformat()) == [taxi, twice]
    assert refs(signed_in, care_to=(TODAY - timedelta(days=25)).isoformat()) == [crown]
    assert refs(signed_in, status="in_review", assigned=colleague.id, q="boîte") == [twice]


def test_sorts(signed_in: TestClient, reports: dict[str, Report]) -> None:
    crown, twice, taxi = (reports[k].reference for k in ("crown", "twice", "taxi"))
    assert refs(signed_in, sort="created_at") == [crown, twice, taxi]
    assert refs(signed_in, sort="-care_date") == [taxi, twice, crown]
    assert refs(signed_in, sort="care_date") == [crown, twice, taxi]
    assert refs(signed_in, sort="nonsense") == [taxi, twice, crown]


def test_bad_filter_values_are_reported_and_ignored(
    signed_in: TestClient, reports: dict[str, Report]
) -> None:
    response = signed_in.get(
        LIST,
        params={
            "status": "bogus",
            "received_from": "31/12/2026",
            "care_from": "2026-02-10",
            "care_to": "2026-01-01",
            "assigned": "quelqu'un",
            "q": "x" * 201,
            "anomaly_type": AnomalyType.BILLED_TWICE.value,
        },
    )
    assert response.status_code == 200
    query = response.context["query"]
    assert query.errors == {
        "status": "Valeur non reconnue.",
        "received_from": "Date invalide : utilisez le format AAAA-MM-JJ.",
        "care_to": "Cette date doit suivre la date de début.",
        "assigned": "Identifiant invalide.",
        "q": "Au plus 200 caractères.",
    }
    # The valid filter still applies.
    assert [r.reference for r in response.context["reports"]] == [reports["twice"].reference]
    page = parse(response.text)
    status = page.find("select", id="status")
    assert status.attrs["aria-invalid"] == "true"
    assert status.attrs["aria-describedby"] == "status-erreur"
    assert page.find("p", id="status-erreur").text == "Valeur non reconnue."
    assert "Exporter" not in response.text


def test_pages_keep_the_filters_and_show_the_total(
    signed_in: TestClient, factory: Factory, db: Session
) -> None:
    holder = factory.policyholder()
    for n in range(30):
        file(db, holder.id, description=f"Signalement {n}", created_at=utc(TODAY, 0, n))
    response = signed_in.get(LIST, params={"q": "signalement", "per_page": "25"})
    pager = response.context["pager"]
    assert (pager.total, pager.pages, len(response.context["reports"])) == (30, 2, 25)
    page = parse(response.text)
    nav = page.find("nav", class_="pagination")
    links = {a.text.replace("Page ", ""): a.attrs["href"] for a in nav.find_all("a")}
    assert links["2"] == "/agent/signalements?q=signalement&per_page=25&page=2"
    assert (
        "30\u00a0signalements, 1 à 25 affichés (page 1 sur 2)" in page.find("p", role="status").text
    )
    second = signed_in.get(links["2"])
    assert len(second.context["reports"]) == 5
    assert second.context["pager"].total == 30
    beyond = signed_in.get(LIST, params={"q": "signalement", "page": "9"})
    assert beyond.context["pager"].page == 2
    assert [r.description for r in beyond.context["reports"]][-1] == "Signalement 0"
    assert signed_in.get(LIST, params={"page": "abc"}).context["pager"].page == 1


def test_an_empty_list_says_so(signed_in: TestClient) -> None:
    response = signed_in.get(LIST, params={"q": "rien"})
    assert response.context["pager"].total == 0
    assert "Aucun signalement ne correspond" in parse(response.text).find("p", role="status").text


def test_the_list_links_each_report_and_escapes_what_was_typed(
    signed_in: TestClient, factory: Factory, db: Session
) -> None:
    report = file(db, factory.policyholder().id, description="<script>alert(1)</script>")
    page = parse(signed_in.get(LIST).text)
    row = page.find("table", class_="reports").find("tbody").find("tr")
    assert row.find("a").attrs["href"] == f"/agent/signalements/{report.reference}"
    assert row.find("td", class_="excerpt").text == "<script>alert(1)</script>"
    assert page.find_all("script") == []


@pytest.mark.parametrize("sort", ["-created_at", "created_at", "-care_date", "care_date"])
def test_pages_read_from_the_other_end_are_the_same(
    factory: Factory, db: Session, sort: SortKey
) -> None:
    holder = factory.policyholder()
    for n in range(7):
        file(
            db,
            holder.id,
            care_date=TODAY - timedelta(days=n % 3),
            created_at=utc(TODAY, 1, n // 2),  # ties on both columns
        )
    filters = ReportFilters()
    forward = [
        [
            r.id
            for r in find_reports(
                session=db, readable=true(), filters=filters, sort=sort, limit=3, offset=o
            )
        ]
        for o in (0, 3, 6, 9)
    ]
    from_the_end = [
        [
            r.id
            for r in find_reports(
                session=db,
                readable=true(),
                filters=filters,
                sort=sort,
                limit=3,
                offset=o,
                total=7,
            )
        ]
        for o in (0, 3, 6, 9)
    ]
    assert from_the_end == forward
    assert [len(p) for p in forward] == [3, 3, 1, 0]
