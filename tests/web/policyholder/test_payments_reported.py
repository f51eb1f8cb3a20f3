"""« Mes paiements »: a line already reported says so and links to the report; the button stays
only while no open report would make the filing rule refuse another one."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.accounts.models import Policyholder, StaffRole
from api.claims.catalogue import ProviderKind
from api.reports import decisions
from api.reports.schemas import ReportUpdate
from api.web.policyholder.ui import long_date
from tests.factories import Factory
from tests.web.agent.helpers import TODAY, file
from tests.web.markup import parse

pytestmark = pytest.mark.usefixtures("db")


def test_a_reported_line_says_when_and_links_to_the_report_without_a_second_button(
    signed_in: TestClient, factory: Factory, holder: Policyholder, db: Session
) -> None:
    dentist = factory.provider("Dr Hélène Garnier", ProviderKind.DENTIST)
    reported = factory.claim(holder, dentist, TODAY - timedelta(days=12), "HBLD036")
    untouched = factory.claim(holder, dentist, TODAY - timedelta(days=30))
    report = file(db, holder.id, claim=reported)
    # Someone else's report on a claim of theirs changes nothing here.
    file(db, factory.policyholder().id)

    response = signed_in.get("/compte")
    table = parse(response.text).find("table", class_="payments cards-on-phone")
    rows = table.find("tbody").find_all("tr")
    assert len(rows) == 2
    mention = rows[0].find("p", class_="reported")
    link = mention.find("a")
    assert link.attrs["href"] == f"/compte/signalements/{report.reference}"
    assert link.text == f"Signalé le {long_date(TODAY)} (référence {report.reference})"
    assert not rows[0].select_class("button", "js-report")
    assert not rows[1].find_all("p", class_="reported")
    [button] = rows[1].select_class("button", "js-report")
    assert button.attrs["data-claim-id"] == str(untouched.id)


def test_a_closed_report_is_mentioned_and_the_line_can_be_reported_again(
    signed_in: TestClient, factory: Factory, holder: Policyholder, db: Session
) -> None:
    agent = factory.staff(StaffRole.AGENT)
    claim = factory.claim(holder, factory.provider(), TODAY - timedelta(days=5))
    report = file(db, holder.id, claim=claim)
    for status in ("in_review", "unfounded"):
        decisions.update_report(
            session=db,
            reference=report.reference,
            actor_id=agent.id,
            data=ReportUpdate.model_validate({"status": status}),
        )
        db.commit()
    row = parse(signed_in.get("/compte").text).find("table").find("tbody").find("tr")
    mention = row.find("p", class_="reported")
    assert report.reference in mention.text and "Classé sans suite" in mention.text
    assert row.select_class("button", "js-report")


def test_a_page_past_the_end_of_my_payments_goes_to_the_last_one(
    signed_in: TestClient, factory: Factory, holder: Policyholder
) -> None:
    factory.claim(holder, factory.provider(), TODAY)
    response = signed_in.get("/compte?page=3", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/compte?page=1"
