"""The dashboard's figures and the provider page that helps decide what to investigate."""

from datetime import timedelta
from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.accounts.models import StaffUser
from api.claims.catalogue import ProviderKind
from api.reports.workflow import ReportStatus
from tests.factories import Factory
from tests.web.agent.helpers import TODAY, file, utc
from tests.web.markup import parse


def test_dashboard_counts_by_status_per_day_and_by_provider(
    signed_in: TestClient, factory: Factory, db: Session, agent: StaffUser
) -> None:
    garnier = factory.provider("Dr Hélène Garnier", ProviderKind.DENTIST)
    roux = factory.provider("Dr Paul Roux")
    people = [factory.policyholder() for _ in range(3)]
    # Three different people report Dr Garnier; one person reports Dr Roux twice.
    for n, holder in enumerate(people):
        claim = factory.claim(holder, garnier, TODAY - timedelta(days=20 + n))
        file(db, holder.id, claim=claim, created_at=utc(TODAY - timedelta(days=1), 23, 30))
    roux_claim = factory.claim(people[0], roux, TODAY - timedelta(days=3))
    # One open report per person and claim: the duplicate is closed before the other is filed.
    second = file(db, people[0].id, claim=roux_claim, created_at=utc(TODAY, 9))
    second.status = ReportStatus.DUPLICATE
    db.commit()
    first = file(db, people[0].id, claim=roux_claim, created_at=utc(TODAY, 8))
    first.status = ReportStatus.IN_REVIEW
    first.assigned_to_id = agent.id
    db.commit()

    response = signed_in.get("/agent")
    assert response.template.name == "agent/dashboard.html"
    context = response.context
    counts = {s.status.value: s.count for s in context["statuses"]}
    assert counts == {
        "received": 3,
        "in_review": 1,
        "investigating": 0,
        "confirmed": 0,
        "unfounded": 0,
        "duplicate": 1,
    }
    assert context["total"] == 5
    assert (context["workload"].mine, context["workload"].unassigned) == (1, 4)
    days = context["days"]
    assert len(days) == 30 and days[-1].day == TODAY
    # 23:30 UTC yesterday is today in Paris: all five reports came in today.
    assert [(d.count, d.bar) for d in days[-2:]] == [(0, 0), (5, 100)]
    ranked = [(p.provider.name, p.policyholders, p.claims) for p in context["providers"]]
    assert ranked == [("Dr Hélène Garnier", 3, 3), ("Dr Paul Roux", 1, 1)]
    page = parse(response.text)
    assert page.find("a", href=f"/agent/professionnels/{garnier.id}").text == "Dr Hélène Garnier"
    assert page.find("main").find("a", href="/agent/signalements").text == "5 en tout"


def test_an_empty_dashboard(signed_in: TestClient) -> None:
    response = signed_in.get("/agent")
    assert response.context["total"] == 0
    assert response.context["providers"] == []
    assert all(d.count == 0 and d.bar == 0 for d in response.context["days"])


def test_provider_page_weighs_independent_reports(
    signed_in: TestClient, factory: Factory, db: Session
) -> None:
    garnier = factory.provider("Dr Hélène Garnier", ProviderKind.DENTIST, city="Villeurbanne")
    people = [factory.policyholder() for _ in range(3)]
    claims = [
        factory.claim(holder, garnier, TODAY - timedelta(days=10 + n), "HBLD036")
        for n, holder in enumerate(people)
    ]
    reports = [
        file(db, holder.id, claim=claim, anomaly_type="billed_more_than_performed")
        for holder, claim in zip(people, claims, strict=True)
    ]
    reports[0].status = ReportStatus.CONFIRMED
    db.commit()
    file(db, people[0].id, claim=claims[0], anomaly_type="billed_twice")  # same claim again
    factory.claim(people[0], garnier, TODAY - timedelta(days=40))  # never reported

    response = signed_in.get(f"/agent/professionnels/{garnier.id}")
    assert response.template.name == "agent/provider.html"
    summary = response.context["summary"]
    assert (summary.reports, summary.policyholders, summary.claims) == (4, 3, 3)
    assert summary.amount_billed == Decimal("1650.00")
    assert summary.amount_reimbursed == Decimal("216.00")
    assert summary.confirmed_reimbursed == Decimal("72.00")
    assert [(a.anomaly_type.value, a.count) for a in summary.anomalies] == [
        ("billed_more_than_performed", 3),
        ("billed_twice", 1),
    ]
    assert summary.first_received is not None and summary.first_received.tzinfo is not None
    assert response.context["signal"].startswith("Signalé par 3 assurés différents")
    assert len(response.context["recent"]) == 4
    page = parse(response.text)
    assert page.find("h1").text == "Dr Hélène Garnier"
    cards = [
        c.text for c in page.find("section", aria_labelledby="indices").select_class("li", "card")
    ]
    assert "1\u202f650,00\u00a0€ facturés sur ces lignes" in cards
    assert page.find("a", href=f"/agent/signalements?provider_id={garnier.id}")


def test_a_provider_reported_once_is_a_weak_signal(
    signed_in: TestClient, factory: Factory, db: Session
) -> None:
    provider = factory.provider()
    holder = factory.policyholder()
    file(db, holder.id, claim=factory.claim(holder, provider, TODAY))
    context = signed_in.get(f"/agent/professionnels/{provider.id}").context
    assert context["signal"] == "Signalé par un seul assuré : un indice isolé, faible à lui seul."
    quiet = factory.provider("Dr Calme")
    assert signed_in.get(f"/agent/professionnels/{quiet.id}").context["summary"].reports == 0
