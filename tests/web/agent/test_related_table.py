"""Issue 18: related reports as a table grouped by « Même paiement » / « Même professionnel »,
one action each, and the default duplicate link keeps the oldest report as the original."""

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.reports.models import Report
from api.reports.workflow import ReportStatus
from tests.factories import Factory
from tests.web.agent.helpers import TODAY, file
from tests.web.helpers import csrf_token
from tests.web.markup import Element, parse

NBSP = "\u00a0"


def related_section(client: TestClient, report: Report) -> Element:
    page = parse(client.get(f"/agent/signalements/{report.reference}").text)
    return page.find("section", aria_labelledby="lies")


def test_the_button_seen_on_the_older_report_keeps_it_as_the_original(
    signed_in: TestClient, factory: Factory, db: Session
) -> None:
    holder = factory.policyholder()
    claim = factory.claim(holder, factory.provider("Dr Paul Roux"), TODAY - timedelta(days=4))
    older = file(db, holder.id, claim=claim, created_at=datetime.now(UTC) - timedelta(days=2))
    older.status = ReportStatus.UNFOUNDED  # closed, so the same claim can be reported again
    db.commit()
    newer = file(db, holder.id, claim=claim)
    # Seen from the older report, the one form posts for the newer one, naming the older.
    section = related_section(signed_in, older)
    forms = section.find_all("form")
    assert len(forms) == 1
    assert forms[0].attrs["action"] == f"/agent/signalements/{newer.reference}/doublon"
    button = forms[0].find("button").text
    assert button == f"Marquer {newer.reference} comme doublon de l'original (celui-ci)"
    fields = {i.attrs["name"]: i.attrs.get("value") for i in forms[0].find_all("input")}
    assert fields["original"] == older.reference and fields["mode"] == "merge"
    token = csrf_token(signed_in, f"/agent/signalements/{older.reference}")
    response = signed_in.post(forms[0].attrs["action"], data={**fields, "csrf_token": token})
    assert response.status_code == 200
    db.commit()
    db.refresh(older)
    db.refresh(newer)
    assert newer.duplicate_of_id == older.id and newer.status == ReportStatus.DUPLICATE
    assert older.duplicate_of_id is None and older.status == ReportStatus.UNFOUNDED
    # Linked now: no more action on either side.
    assert related_section(signed_in, older).find_all("form") == []


def test_related_reports_are_grouped_with_date_status_and_agreement(
    signed_in: TestClient, factory: Factory, db: Session
) -> None:
    me = factory.policyholder()
    provider = factory.provider("Dr Paul Roux")
    report = file(db, me.id, claim=factory.claim(me, provider, TODAY - timedelta(days=4)))
    others = []
    for days in (6, 7, 8):
        holder = factory.policyholder()
        claim = factory.claim(holder, provider, TODAY - timedelta(days=days))
        others.append(file(db, holder.id, claim=claim))
    section = related_section(signed_in, report)
    groups = [th.text for th in section.find_all("th", scope="rowgroup")]
    assert groups == [f"Même professionnel (3{NBSP}autres signalements)"]
    headers = [th.text for th in section.find("thead").find_all("th")]
    assert headers == ["Référence", "Reçu le", "Anomalie", "Statut", "Action"]
    rows = section.find("tbody").find_all("tr")[1:]
    assert [r.find("a").text for r in rows] == [o.reference for o in reversed(others)]
    assert [r.find_all("td")[2].text.strip() for r in rows] == ["Reçu"] * 3
    # This report is the oldest: each newer one is offered as its duplicate.
    buttons = [b.text for b in section.find_all("button")]
    assert buttons == [
        f"Marquer {o.reference} comme doublon de l'original (celui-ci)" for o in reversed(others)
    ]
    seen_from_newest = related_section(signed_in, others[-1]).find_all("button")
    assert seen_from_newest[-1].text == (
        f"Marquer ce signalement comme doublon de l'original {report.reference}"
    )
    single = file(db, me.id, provider_name="Taxi Bleu")
    alone = file(db, factory.policyholder().id, provider_name="taxi bleu")
    section = related_section(signed_in, alone)
    assert [th.text for th in section.find_all("th", scope="rowgroup")] == [
        f"Même professionnel (1{NBSP}autre signalement)"
    ]
    assert section.find("a").text == single.reference
