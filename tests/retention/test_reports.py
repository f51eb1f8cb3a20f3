"""Reports: erased exactly after the period, fully or not at all, and still counted."""

import csv
import io
from datetime import date, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.accounts.models import StaffRole
from api.core.config import Settings
from api.core.db import utcnow
from api.reports import statistics as stats
from api.reports.models import Report, ReportEvent
from api.reports.workflow import EventKind, ReportStatus
from api.retention import reports as retention_reports
from api.retention.models import RetentionRun, RunOutcome
from api.web.agent.export import HEADER
from tests.factories import Factory
from tests.retention.support import TrackerStore, old_report, policy_for, run
from tests.web.helpers import login

NOW = utcnow()
DAYS = 1826
CUTOFF = NOW - timedelta(days=DAYS)


def fresh(db: Session, report_id: int) -> Report:
    db.commit()  # ends the read snapshot (SQLite)
    db.expire_all()
    report = db.get(Report, report_id)
    assert report is not None
    return report


def test_erased_one_day_after_the_period_kept_one_day_before(
    app: FastAPI, settings: Settings, db: Session, factory: Factory, tracker: TrackerStore
) -> None:
    holder = factory.policyholder()
    kept = old_report(db, holder, last_activity=CUTOFF + timedelta(days=1))
    erased = old_report(db, holder, last_activity=CUTOFF - timedelta(days=1))
    # Filed long ago, but an agent wrote a note yesterday: the period counts from that note.
    revived = old_report(db, holder, last_activity=CUTOFF - timedelta(days=400))
    revived.events.append(ReportEvent(kind=EventKind.NOTE, note="relance", created_at=NOW))
    db.commit()

    result = run(app.state.engine, policy_for(settings, tracker.url), NOW)

    assert result.tallies["reports"].done == 1
    assert result.tallies["reports"].remaining == 0
    assert fresh(db, erased.id).purged_at is not None
    for report_id in (kept.id, revived.id):
        assert fresh(db, report_id).purged_at is None
        assert fresh(db, report_id).policyholder_id == holder.id


def test_what_is_erased_and_what_remains(
    app: FastAPI, settings: Settings, db: Session, factory: Factory, tracker: TrackerStore
) -> None:
    holder = factory.policyholder()
    provider = factory.provider("Dr Hélène Garnier")
    claim = factory.claim(holder, provider, date(2020, 3, 17), "HBLD036")
    report = old_report(
        db, holder, claim=claim, last_activity=CUTOFF - timedelta(days=3), care_date=claim.care_date
    )
    before = fresh(db, report.id)
    assert (before.claim_provider_id, before.claim_amount_billed) == (
        provider.id,
        claim.amount_billed,
    )
    kept = (before.created_at, before.status, before.anomaly_type, before.channel, before.reference)
    events_before = [(e.kind, e.created_at) for e in before.events]

    result = run(app.state.engine, policy_for(settings, tracker.url), NOW)

    assert result.errors == []
    after = fresh(db, report.id)
    assert after.description == retention_reports.ERASED_DESCRIPTION
    assert after.provider_name == retention_reports.ERASED_PROVIDER
    assert after.provider_search == ""
    assert after.transcript == []
    assert after.idempotency_key is None and after.request_fingerprint is None
    assert after.policyholder_id is None and after.claim_id is None
    assert after.claim_provider_id is None and after.claim_amount_billed is None
    assert after.care_date == date(2020, 3, 1)  # the month stays, the day goes
    assert after.purged_at is not None
    assert after.purged_provider_id == provider.id
    assert (after.purged_reporter_count, after.purged_claim_count) == (1, 1)
    assert (after.created_at, after.status, after.anomaly_type, after.channel) == kept[:4]
    assert after.reference == kept[4]
    assert [(e.kind, e.created_at) for e in after.events] == events_before
    assert [e.note for e in after.events if e.kind == EventKind.NOTE] == [
        retention_reports.ERASED_NOTE
    ]
    assert all(e.note is None for e in after.events if e.kind != EventKind.NOTE)
    assert db.get(type(claim), claim.id) is not None  # the insurer's record is not ours to erase


def test_provider_figures_count_erased_reports_once(
    app: FastAPI, settings: Settings, db: Session, factory: Factory, tracker: TrackerStore
) -> None:
    provider = factory.provider("Dr Paul Roux")
    anne, bruno, chloe = (factory.policyholder() for _ in range(3))
    old, recent = CUTOFF - timedelta(days=10), NOW - timedelta(days=10)
    # Anne: two claims, one old report and one recent. Bruno: one old report. Chloé: two
    # reports on one claim, one old and one recent.
    for holder, last in ((anne, old), (anne, recent), (bruno, old)):
        claim = factory.claim(holder, provider, date(2024, 1, 10))
        old_report(db, holder, claim=claim, last_activity=last)
    chloe_claim = factory.claim(chloe, provider, date(2024, 2, 1))
    first = old_report(db, chloe, claim=chloe_claim, last_activity=old)
    # Closed long ago: only then may the same claim be reported again.
    first.status = ReportStatus.UNFOUNDED
    db.commit()
    old_report(db, chloe, claim=chloe_claim, last_activity=recent)

    def figures() -> tuple[int, int, int, list[tuple[int, int, int]]]:
        db.commit()
        db.expire_all()
        summary = stats.provider_summary(session=db, provider=provider)
        ranks = [
            (r.provider.id, r.claims, r.policyholders) for r in stats.top_providers(session=db)
        ]
        return summary.reports, summary.policyholders, summary.claims, ranks

    expected = (5, 3, 4, [(provider.id, 4, 3)])
    assert figures() == expected
    policy = policy_for(settings, tracker.url)
    assert run(app.state.engine, policy, NOW).tallies["reports"].done == 3
    assert figures() == expected
    # Years later, every report is erased: still 5 reports by 3 people on 4 claims.
    later = NOW + timedelta(days=DAYS)
    assert run(app.state.engine, policy, later).tallies["reports"].done == 2
    assert figures() == expected
    summary = stats.provider_summary(session=db, provider=provider)
    assert summary.purged == 5 and summary.amount_billed == 0


@pytest.fixture
def agent_client(client: TestClient, factory: Factory) -> TestClient:
    agent = factory.staff(StaffRole.AGENT)
    assert login(client, agent.username).status_code == 303
    return client


def test_agents_pages_csv_and_api_cope_with_erased_reports(
    app: FastAPI,
    settings: Settings,
    db: Session,
    factory: Factory,
    tracker: TrackerStore,
    agent_client: TestClient,
) -> None:
    holder, other = factory.policyholder(), factory.policyholder()
    provider = factory.provider("Dr Hélène Garnier")
    claim = factory.claim(holder, provider, date(2020, 3, 17))
    erased = old_report(db, holder, claim=claim, last_activity=CUTOFF - timedelta(days=1))
    # Another erased report (no claim), and a live one on the same provider.
    bare = old_report(db, other, last_activity=CUTOFF - timedelta(days=1))
    live = old_report(
        db, other, claim=factory.claim(other, provider, date(2024, 5, 2)), last_activity=NOW
    )
    run(app.state.engine, policy_for(settings, tracker.url), NOW)

    page = agent_client.get(f"/agent/signalements/{erased.reference}")
    assert page.status_code == 200, page.text
    assert "ont été effacées le" in page.text
    assert "Claire Durand" not in page.text and "06 12 34 56 78" not in page.text
    assert "(même assuré)" not in page.text
    related = page.context["related"]
    assert [r.id for r in related.same_provider] == [live.id]  # not every erased report
    bare_page = agent_client.get(f"/agent/signalements/{bare.reference}")
    assert bare_page.status_code == 200
    assert bare_page.context["related"].same_provider == []

    listing = agent_client.get("/agent/signalements")
    assert listing.status_code == 200 and erased.reference in listing.text
    by_provider = agent_client.get(f"/agent/signalements?provider_id={provider.id}")
    assert erased.reference in by_provider.text and live.reference in by_provider.text
    provider_page = agent_client.get(f"/agent/professionnels/{provider.id}")
    assert provider_page.status_code == 200
    assert provider_page.context["summary"].reports == 2
    assert "Dont 1\u00a0signalement anonymisé" in provider_page.text
    assert agent_client.get("/agent").status_code == 200

    export = agent_client.get("/agent/signalements.csv")
    assert export.status_code == 200
    table = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig")), delimiter=";"))
    lines = {
        line["Référence"]: line for line in (dict(zip(HEADER, r, strict=True)) for r in table[1:])
    }
    assert lines[erased.reference]["Assuré (numéro)"] == ""
    assert lines[erased.reference]["Remboursement"] == ""
    assert lines[erased.reference]["Description"] == retention_reports.ERASED_DESCRIPTION
    assert lines[erased.reference]["Données personnelles effacées le"] != ""
    assert lines[live.reference]["Données personnelles effacées le"] == ""

    staff_token = factory.auth(factory.staff(StaffRole.AGENT))
    answer = agent_client.get(f"/api/v1/reports/{erased.reference}", headers=staff_token)
    assert answer.status_code == 200
    assert answer.json()["policyholder_id"] is None and answer.json()["purged_at"]
    # The person no longer finds it among theirs: it is not linked to them any more.
    mine = agent_client.get("/api/v1/reports", headers=factory.auth(holder))
    assert mine.status_code == 200 and mine.json()["items"] == []
    gone = agent_client.get(f"/api/v1/reports/{erased.reference}", headers=factory.auth(holder))
    assert gone.status_code == 404


class Crash(BaseException):
    """Stands for the process dying: nothing catches it on the way up."""


def test_a_crash_mid_batch_leaves_each_report_whole(
    app: FastAPI,
    settings: Settings,
    db: Session,
    factory: Factory,
    tracker: TrackerStore,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    holder = factory.policyholder()
    ids = [
        old_report(db, holder, last_activity=CUTOFF - timedelta(days=1 + n)).id for n in range(5)
    ]
    monkeypatch.setattr("api.retention.batches.REPORT_BATCH", 2)
    real_erase_notes = retention_reports.erase_notes
    calls = []

    def crash_in_second_batch(*, session: Session, ids: list[int]) -> None:
        calls.append(1)
        real_erase_notes(session=session, ids=ids)
        if len(calls) == 2:  # the reports of this batch are already updated, not committed
            raise Crash

    monkeypatch.setattr(retention_reports, "erase_notes", crash_in_second_batch)
    policy = policy_for(settings, tracker.url)
    with pytest.raises(Crash):
        run(app.state.engine, policy, NOW)

    reports = [fresh(db, report_id) for report_id in ids]
    erased = [r for r in reports if r.purged_at is not None]
    assert [r.id for r in erased] == ids[:2]
    for report in reports[2:]:  # untouched, every field of them
        assert report.policyholder_id == holder.id
        assert report.description.startswith("Je n'ai jamais vu")
        assert report.transcript and report.idempotency_key
        assert all(e.note != retention_reports.ERASED_NOTE for e in report.events)
    audit = db.scalars(select(RetentionRun)).one()
    assert (audit.outcome, audit.reports_purged, audit.finished_at) == (
        RunOutcome.RUNNING,
        2,
        None,
    )

    monkeypatch.setattr(retention_reports, "erase_notes", real_erase_notes)
    result = run(app.state.engine, policy, NOW)
    assert result.tallies["reports"].done == 3
    assert all(fresh(db, report_id).purged_at for report_id in ids)
    outcomes = [r.outcome for r in db.scalars(select(RetentionRun).order_by(RetentionRun.id))]
    assert outcomes == [RunOutcome.INTERRUPTED, RunOutcome.DONE]
