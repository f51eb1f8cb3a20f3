"""Issue 18: counts agree with their nouns on the staff pages (« 1 signalement », « 3 autres
signalements »), and no space is left before a comma."""

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import Factory
from tests.web.agent.helpers import TODAY, file
from tests.web.markup import parse

NBSP = "\u00a0"


def test_a_single_report_is_counted_in_the_singular(
    signed_in: TestClient, factory: Factory, db: Session
) -> None:
    holder = factory.policyholder()
    provider = factory.provider("Dr Paul Roux")
    file(db, holder.id, claim=factory.claim(holder, provider, TODAY - timedelta(days=3)))
    page = parse(signed_in.get(f"/agent/professionnels/{provider.id}").text)
    cards = [li.text.strip() for li in page.find("ul", class_="cards").find_all("li")][:3]
    assert cards == ["1 signalement", "1 assuré", "1 remboursement signalé"]
    assert "Voir le signalement dans la liste" in page.text


def test_the_transcript_names_the_speaker_without_a_space_before_the_comma(
    signed_in: TestClient, factory: Factory, db: Session
) -> None:
    at = datetime.now(UTC).isoformat()
    report = file(
        db,
        factory.policyholder().id,
        transcript=[{"sender": "user", "text": "Bonjour", "timestamp": at}],
    )
    page = parse(signed_in.get(f"/agent/signalements/{report.reference}").text)
    turn = page.find("ol", class_="transcript").find("li").text
    assert "Assuré, " in turn and "Assuré ," not in turn
