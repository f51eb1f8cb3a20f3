"""The agents' queue score (api/reports/priority.py): the formula's ordering on constructed
inputs, the French « why », and the queue read from the database (SQLite and PostgreSQL)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import true
from sqlalchemy.orm import Session

from api.reports import priority
from api.reports.priority import PriorityInputs, priority_queue, score, why
from api.reports.workflow import AnomalyType, ReportStatus
from tests.factories import Factory
from tests.web.agent.helpers import TODAY, file

NOT_PERFORMED = AnomalyType.NOT_PERFORMED
NBSP, NARROW = "\u00a0", "\u202f"


def test_a_cluster_beats_a_single_oddity_of_the_same_kind() -> None:
    three = PriorityInputs(NOT_PERFORMED, 2, policyholders=3, amount_at_stake=Decimal(90))
    one = PriorityInputs(NOT_PERFORMED, 2, policyholders=1, amount_at_stake=Decimal(90))
    assert score(three) > score(one)


def test_recency_money_confirmations_and_type_each_raise_the_score() -> None:
    base = PriorityInputs(AnomalyType.OTHER, 10, 1, Decimal(100), 0)
    assert score(PriorityInputs(AnomalyType.OTHER, 1, 1, Decimal(100), 0)) > score(base)
    assert score(PriorityInputs(AnomalyType.OTHER, 10, 1, Decimal(5000), 0)) > score(base)
    assert score(PriorityInputs(AnomalyType.OTHER, 10, 1, Decimal(100), 1)) > score(base)
    assert score(PriorityInputs(NOT_PERFORMED, 10, 1, Decimal(100), 0)) > score(base)
    # Halved every 14 days.
    fresh, old = PriorityInputs(NOT_PERFORMED, 0), PriorityInputs(NOT_PERFORMED, 14)
    assert round(score(fresh) / score(old), 6) == 2


def test_why_says_each_factor_in_french_with_agreement() -> None:
    inputs = PriorityInputs(NOT_PERFORMED, 2.5, 4, Decimal("1230.50"), 1)
    assert why(inputs) == (
        f"4{NBSP}assurés différents signalent ce professionnel{NBSP}· "
        f"1{NARROW}230,50{NBSP}€ en jeu{NBSP}· acte non réalisé{NBSP}· "
        f"il y a 2{NBSP}jours{NBSP}· 1{NBSP}signalement déjà confirmé"
    )
    assert why(PriorityInputs(AnomalyType.UNKNOWN_PROVIDER, 0.2, 1, Decimal(0), 2)) == (
        f"un seul assuré signale ce professionnel{NBSP}· professionnel inconnu de l'assuré"
        f"{NBSP}· aujourd'hui{NBSP}· 2{NBSP}signalements déjà confirmés"
    )


def test_the_queue_ranks_the_cluster_first_then_recency_and_confirmations(
    factory: Factory, db: Session
) -> None:
    now = datetime.now(UTC)
    clustered, single, confirmed_one = (
        factory.provider("Ambulances A"),
        factory.provider("Dr B"),
        factory.provider("Dr C"),
    )
    cluster_reports = []
    for _ in range(3):
        holder = factory.policyholder()
        claim = factory.claim(holder, clustered, TODAY - timedelta(days=5))
        cluster_reports.append(file(db, holder.id, claim=claim, created_at=now - timedelta(days=3)))
    lone_holder = factory.policyholder()
    lone = file(
        db,
        lone_holder.id,
        claim=factory.claim(lone_holder, single, TODAY - timedelta(days=5)),
        created_at=now - timedelta(days=3),
    )
    # Dr C: one report already confirmed (within the window), one open: the confirmation
    # lifts it.
    holder_c = factory.policyholder()
    done = file(
        db,
        holder_c.id,
        claim=factory.claim(holder_c, confirmed_one, TODAY - timedelta(days=25)),
        created_at=now - timedelta(days=20),
    )
    done.status = ReportStatus.CONFIRMED
    fresh_c = file(
        db,
        holder_c.id,
        claim=factory.claim(holder_c, confirmed_one, TODAY - timedelta(days=4)),
        created_at=now - timedelta(days=3),
    )
    # An older report on Dr B's peer: the same inputs as `lone`, 20 days older.
    stale = file(
        db,
        lone_holder.id,
        claim=factory.claim(lone_holder, single, TODAY - timedelta(days=30)),
        created_at=now - timedelta(days=23),
    )
    # Open, but filed before the window: its weight is spent (2 ** (-40 / 14) < 14 %).
    old = file(
        db,
        lone_holder.id,
        claim=factory.claim(lone_holder, clustered, TODAY - timedelta(days=45)),
        created_at=now - timedelta(days=40),
    )
    db.commit()
    queue, providers = priority_queue(session=db, readable=true(), now=now)
    order = [item.report.id for item in queue]
    assert order[:3] == sorted((r.id for r in cluster_reports), reverse=True)
    assert order.index(fresh_c.id) < order.index(lone.id) < order.index(stale.id)
    assert done.id not in order and old.id not in order  # closed, and out of the window
    top = queue[0]
    assert top.why.startswith(f"3{NBSP}assurés différents signalent ce professionnel")
    assert "acte non réalisé" in top.why and f"il y a 3{NBSP}jours" in top.why
    assert f"1{NBSP}signalement déjà confirmé" in next(
        q.why for q in queue if q.report.id == fresh_c.id
    )
    assert providers[0].provider.id == clustered.id
    assert providers[0].record.policyholders == 3 and providers[0].record.reports == 3


def test_reading_the_window_by_chunks_finds_the_same_queue(
    factory: Factory, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = datetime.now(UTC)
    hot, cold = factory.provider("Ambulances A"), factory.provider("Dr B")
    for n in range(8):
        holder = factory.policyholder()
        provider = hot if n % 2 else cold
        claim = factory.claim(holder, provider, TODAY - timedelta(days=n + 2))
        anomaly = "not_performed" if n % 3 else "other"
        file(db, holder.id, claim=claim, anomaly_type=anomaly, created_at=now - timedelta(days=n))
    whole, _ = priority_queue(session=db, readable=true(), now=now, limit=3)
    monkeypatch.setattr(priority, "CANDIDATE_CHUNK", 2)
    chunked, _ = priority_queue(session=db, readable=true(), now=now, limit=3)
    assert [r.report.id for r in chunked] == [r.report.id for r in whole]
    assert len(whole) == 3


def test_a_filed_report_keeps_its_claims_provider_and_amount(factory: Factory, db: Session) -> None:
    holder = factory.policyholder()
    provider = factory.provider("Ambulances A")
    claim = factory.claim(holder, provider, TODAY - timedelta(days=5))
    on_claim = file(db, holder.id, claim=claim, provider_name="c'est correct")
    without = file(db, holder.id, provider_name="Dr Inconnu")
    assert (on_claim.claim_provider_id, on_claim.claim_amount_billed) == (
        provider.id,
        claim.amount_billed,
    )
    assert (without.claim_provider_id, without.claim_amount_billed) == (None, None)
    # The queue's figures come from those copies: the typed name plays no part.
    records = priority.provider_records(session=db, since=datetime.now(UTC) - timedelta(days=1))
    assert records[provider.id].amount_at_stake == claim.amount_billed
    assert set(records) == {provider.id}
