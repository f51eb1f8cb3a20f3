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


def test_the_queue_pages_twenty_at_a_time_in_score_order(
    signed_in: TestClient, factory: Factory, db: Session
) -> None:
    now = datetime.now(UTC)
    provider = factory.provider("Dr Page")
    for n in range(45):  # one a day older than the last: the score falls with each
        holder = factory.policyholder()
        claim = factory.claim(holder, provider, TODAY - timedelta(days=2))
        file(db, holder.id, claim=claim, created_at=now - timedelta(hours=n * 12 + 1))

    def references(path: str) -> list[str]:
        body = parse(signed_in.get(path).text).find("section", aria_labelledby="priorites")
        table = body.find("table")
        return [row.find("a").text for row in table.find("tbody").find_all("tr")]

    pages = [references(f"/agent/priorites?page={n}") for n in (1, 2, 3)]
    assert [len(p) for p in pages] == [20, 20, 5]
    everything = [ref for p in pages for ref in p]
    assert len(set(everything)) == 45
    ids = [int(ref.rsplit("-", 1)[1]) for ref in everything]
    assert ids == sorted(ids)  # filed newest first: same provider and type, so by recency
    page_two = parse(signed_in.get("/agent/priorites?page=2").text)
    assert "Signalements 21 à 40 sur 45." in page_two.text
    nav = page_two.find("nav", aria_label="Pages de la file prioritaire")
    assert nav.find("a", aria_current="page").text.strip().endswith("2")
    # Past the end or not a number: the last page, or the first.
    assert references("/agent/priorites?page=99") == pages[2]
    assert references("/agent/priorites?page=abc") == pages[0]
