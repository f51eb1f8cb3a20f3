"""Issue 18: the queue page (linked from the dashboard) shows each open report's score and
why it ranks there, and the providers' ranking."""

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import Factory
from tests.web.agent.helpers import TODAY, file
from tests.web.markup import parse

NBSP = "\u00a0"


def test_the_queue_ranks_a_cluster_above_a_single_report_and_says_why(
    signed_in: TestClient, factory: Factory, db: Session
) -> None:
    now = datetime.now(UTC)
    cluster, single = factory.provider("Ambulances A"), factory.provider("Dr B")
    for _ in range(3):
        holder = factory.policyholder()
        claim = factory.claim(holder, cluster, TODAY - timedelta(days=5), "AMB")
        file(db, holder.id, claim=claim, created_at=now - timedelta(days=2))
    holder = factory.policyholder()
    lone = file(
        db,
        holder.id,
        claim=factory.claim(holder, single, TODAY - timedelta(days=5)),
        created_at=now - timedelta(hours=1),
    )
    page = parse(signed_in.get("/agent/priorites").text)
    tables = page.find("section", aria_labelledby="priorites").find_all("table")
    reports, providers = tables
    rows = reports.find("tbody").find_all("tr")
    assert len(rows) == 4
    assert rows[-1].find("a").text == lone.reference  # the newest, but alone
    why = rows[0].find("td", class_="why").text
    assert why == (
        f"3{NBSP}assurés différents signalent ce professionnel{NBSP}· "
        f"285,00{NBSP}€ en jeu{NBSP}· acte non réalisé{NBSP}· il y a 2{NBSP}jours"
    )
    scores = [int(r.find("td", class_="num").text.replace("\u202f", "")) for r in rows]
    assert scores == sorted(scores, reverse=True)
    names = [r.find("a").text for r in providers.find("tbody").find_all("tr")]
    assert names == ["Ambulances A", "Dr B"]
    # Filtered by anomaly type: only the matching reports stay.
    other = file(
        db,
        holder.id,
        claim=factory.claim(holder, single, TODAY - timedelta(days=6)),
        anomaly_type="other",
    )
    filtered = parse(signed_in.get("/agent/priorites?anomaly_type=other").text)
    links = [a.text for a in filtered.find("table", class_="queue").find("tbody").find_all("a")]
    assert other.reference in links and lone.reference not in links
    assert "/agent/priorites" in [
        a.attrs["href"] for a in parse(signed_in.get("/agent").text).find_all("a")
    ]
