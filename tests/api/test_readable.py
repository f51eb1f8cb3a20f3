"""What each person may read: the one condition per domain (api/reports/access.py,
api/claims/access.py) that routes, pages and use cases apply."""

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.accounts.models import Role
from api.accounts.service import Principal
from api.claims.access import readable_claims
from api.claims.models import Claim
from api.core.errors import NotFound
from api.reports.access import get_report, readable_reports
from api.reports.models import Report
from tests.factories import Factory
from tests.web.agent.helpers import TODAY, file


def _principal(role: Role, principal_id: int) -> Principal:
    return Principal(id=principal_id, role=role, display_name="Quelqu'un")


def _arrange(db: Session, factory: Factory) -> tuple[int, int, list[Report]]:
    mine, theirs = factory.policyholder(), factory.policyholder()
    provider = factory.provider()
    reports = [
        file(db, holder.id, claim=factory.claim(holder, provider, TODAY - timedelta(days=3)))
        for holder in (mine, theirs)
    ]
    db.commit()
    return mine.id, theirs.id, reports


def _report_ids(db: Session, principal: Principal) -> set[int]:
    return set(db.scalars(select(Report.id).where(readable_reports(principal))))


def _claim_ids(db: Session, principal: Principal) -> set[int]:
    return set(db.scalars(select(Claim.id).where(readable_claims(principal))))


def test_a_policyholder_reads_their_own_reports_and_claims_only(
    db: Session, factory: Factory
) -> None:
    mine, _theirs, reports = _arrange(db, factory)
    me = _principal(Role.POLICYHOLDER, mine)
    assert _report_ids(db, me) == {reports[0].id}
    assert _claim_ids(db, me) == {reports[0].claim_id}
    with pytest.raises(NotFound):
        get_report(session=db, reference=reports[1].reference, readable=readable_reports(me))
    found = get_report(session=db, reference=reports[0].reference, readable=readable_reports(me))
    assert found.id == reports[0].id


@pytest.mark.parametrize("role", [Role.AGENT, Role.ADMIN])
def test_agents_and_admins_read_every_report_and_claim(
    db: Session, factory: Factory, role: Role
) -> None:
    _mine, _theirs, reports = _arrange(db, factory)
    staff = _principal(role, 1)
    assert {r.id for r in reports} <= _report_ids(db, staff)
    assert {r.claim_id for r in reports} <= _claim_ids(db, staff)


def test_a_trainer_reads_no_report_and_no_claim(db: Session, factory: Factory) -> None:
    _mine, _theirs, reports = _arrange(db, factory)
    trainer = _principal(Role.TRAINER, 1)
    assert _report_ids(db, trainer) == set()
    assert _claim_ids(db, trainer) == set()
    with pytest.raises(NotFound):
        get_report(session=db, reference=reports[0].reference, readable=readable_reports(trainer))


def test_a_reference_of_the_wrong_year_names_no_report(db: Session, factory: Factory) -> None:
    _mine, _theirs, reports = _arrange(db, factory)
    year = reports[0].created_at.year
    wrong = reports[0].reference.replace(str(year), str(year - 1))
    staff = _principal(Role.AGENT, 1)
    with pytest.raises(NotFound):
        get_report(session=db, reference=wrong, readable=readable_reports(staff))
