"""The claims API names the caller's open report on each claim (`report`), so the assistant can
say « déjà signalé » before asking anything: one query for a whole list, never another's."""

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.orm import Session

from api.accounts.models import StaffRole
from api.claims.catalogue import ProviderKind
from api.reports import decisions
from api.reports.schemas import ReportUpdate
from tests.factories import Factory
from tests.web.agent.helpers import TODAY, file


def test_my_open_report_is_named_on_the_claim_and_nothing_on_the_others(
    client: TestClient, factory: Factory, db: Session
) -> None:
    me = factory.policyholder()
    dentist = factory.provider("Dr Hélène Garnier", ProviderKind.DENTIST)
    reported = factory.claim(me, dentist, TODAY - timedelta(days=3), "HBLD036")
    clean = factory.claim(me, dentist, TODAY - timedelta(days=4))
    report = file(db, me.id, claim=reported)
    expected = {"reference": report.reference, "filed_on": TODAY.isoformat()}
    for headers in (factory.auth(me), factory.assistant_auth(me)):
        one = client.get(f"/api/v1/claims/{reported.id}", headers=headers).json()
        assert one["report"] == expected
        assert client.get(f"/api/v1/claims/{clean.id}", headers=headers).json()["report"] is None
        matches = client.get(
            "/api/v1/claims/match",
            headers=headers,
            params={"care_date": reported.care_date.isoformat(), "provider": "garnier"},
        ).json()["candidates"]
        by_id = {c["claim"]["id"]: c["claim"]["report"] for c in matches}
        assert by_id == {reported.id: expected, clean.id: None}
    listed = client.get("/api/v1/claims", headers=factory.auth(me)).json()["items"]
    assert {c["id"]: c["report"] for c in listed} == {reported.id: expected, clean.id: None}


def test_a_closed_report_is_not_an_open_one(
    client: TestClient, factory: Factory, db: Session
) -> None:
    me, agent = factory.policyholder(), factory.staff(StaffRole.AGENT)
    claim = factory.claim(me, factory.provider(), TODAY - timedelta(days=3))
    report = file(db, me.id, claim=claim)
    decisions.update_report(
        session=db,
        reference=report.reference,
        actor_id=agent.id,
        data=ReportUpdate.model_validate({"status": "duplicate"}),
    )
    db.commit()
    body = client.get(f"/api/v1/claims/{claim.id}", headers=factory.auth(me)).json()
    assert body["report"] is None


def test_never_another_policyholders_report(
    client: TestClient, factory: Factory, db: Session
) -> None:
    me, other = factory.policyholder(), factory.policyholder()
    claim = factory.claim(me, factory.provider(), TODAY - timedelta(days=3))
    # A report by someone else pointing at my claim (as the data may hold) is not mine.
    theirs = file(db, other.id)
    theirs.claim_id = claim.id
    db.commit()
    body = client.get(f"/api/v1/claims/{claim.id}", headers=factory.auth(me)).json()
    assert body["report"] is None
    agent = factory.staff(StaffRole.AGENT)
    seen = client.get(f"/api/v1/claims/{claim.id}", headers=factory.auth(agent)).json()
    assert seen["report"]["reference"] == theirs.reference


def test_a_whole_list_costs_one_more_query(
    client: TestClient, factory: Factory, db: Session
) -> None:
    me = factory.policyholder()
    gp = factory.provider()
    claims = [factory.claim(me, gp, TODAY - timedelta(days=d)) for d in range(1, 11)]
    for claim in claims[:5]:
        file(db, me.id, claim=claim)
    headers = factory.auth(me)
    engine = client.app.state.engine  # type: ignore[attr-defined]
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        body = client.get("/api/v1/claims", headers=headers).json()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert sum(1 for c in body["items"] if c["report"]) == 5
    on_reports = [s for s in statements if "FROM report" in s]
    assert len(on_reports) == 1, on_reports
