"""Erasing a report's personal data once its retention period has run out.

What goes: the texts the person typed (description, transcript, provider as typed), notes and
complements in its history, the idempotency key and fingerprint, the links to the person and
to the claim; the care date keeps only its month. What stays: reference, dates of receipt,
channel, anomaly type, status and its history, assignment, duplicate links, and the provider
as registered (with how many distinct reporters and claims the report stood for), so the
agents' statistics keep counting it.

The claim link goes too: a claim names its policyholder, so keeping it would re-identify the
person, and the claim (the insurer's payment record) lives under its own retention rules.
Functions here only flush; the caller owns the transaction (one per batch: a report is either
fully erased or untouched).
"""

from collections import defaultdict
from datetime import datetime

from sqlalchemy import ColumnElement, and_, exists, func, select, update
from sqlalchemy.orm import Session

from api.claims.models import Claim
from api.reports.models import Report, ReportEvent

ERASED_DESCRIPTION = "Description effacée\u00a0: durée de conservation écoulée."
ERASED_PROVIDER = "Effacé (durée de conservation écoulée)"
ERASED_NOTE = "Note effacée\u00a0: durée de conservation écoulée."


def _expired(cutoff: datetime) -> list[ColumnElement[bool]]:
    """Not erased yet, and no activity (no event) since the cutoff."""
    recent = exists().where(ReportEvent.report_id == Report.id, ReportEvent.created_at >= cutoff)
    return [Report.purged_at.is_(None), Report.created_at < cutoff, ~recent]


def expired_ids(*, session: Session, cutoff: datetime, limit: int) -> list[int]:
    """The next reports to erase, oldest id first."""
    stmt = select(Report.id).where(*_expired(cutoff)).order_by(Report.id).limit(limit)
    return list(session.scalars(stmt))


def count_expired(*, session: Session, cutoff: datetime) -> int:
    stmt = select(func.count()).select_from(Report).where(*_expired(cutoff))
    return session.scalar(stmt) or 0


def _lock_still_expired(session: Session, ids: list[int], cutoff: datetime) -> list[int]:
    """Lock the rows (PostgreSQL: an agent acting on one waits, or we wait for the agent), then
    check again in a new statement, which sees an event committed meanwhile."""
    session.execute(
        select(Report.id).where(Report.id.in_(ids)).order_by(Report.id).with_for_update()
    )
    stmt = select(Report.id).where(Report.id.in_(ids), *_expired(cutoff)).order_by(Report.id)
    return list(session.scalars(stmt))


def _live_others(
    session: Session, providers: set[int], claims: set[int]
) -> tuple[dict[tuple[int, int], set[int]], dict[int, set[int]]]:
    """Reports not erased yet, by (person, provider) and by claim."""
    by_pair: dict[tuple[int, int], set[int]] = defaultdict(set)
    by_claim: dict[int, set[int]] = defaultdict(set)
    rows = session.execute(
        select(Report.id, Report.claim_id, Claim.policyholder_id, Claim.provider_id)
        .join(Claim, Report.claim_id == Claim.id)
        .where(Report.purged_at.is_(None), Claim.provider_id.in_(providers))
    )
    for report_id, claim_id, holder_id, provider_id in rows:
        by_pair[(holder_id, provider_id)].add(report_id)
        if claim_id in claims:
            by_claim[claim_id].add(report_id)
    return by_pair, by_claim


def purge_reports(*, session: Session, ids: list[int], cutoff: datetime, now: datetime) -> int:
    """Erase these reports' personal data if they are still expired; how many were erased."""
    if not ids:
        return 0
    ids = _lock_still_expired(session, ids, cutoff)
    if not ids:
        return 0
    rows = session.execute(
        select(
            Report.id, Report.claim_id, Report.care_date, Claim.policyholder_id, Claim.provider_id
        )
        .outerjoin(Claim, Report.claim_id == Claim.id)
        .where(Report.id.in_(ids))
        .order_by(Report.id)
    ).all()
    providers = {row.provider_id for row in rows if row.provider_id is not None}
    claims = {row.claim_id for row in rows if row.claim_id is not None}
    by_pair, by_claim = _live_others(session, providers, claims) if providers else ({}, {})
    values: list[dict[str, object]] = []
    for row in rows:
        reporter_count = claim_count = None
        if row.provider_id is not None:
            # The last report still linking this person (or claim) to the provider carries
            # them into the figures once erased; earlier ones leave that to the later ones.
            pair = by_pair.get((row.policyholder_id, row.provider_id), set())
            pair.discard(row.id)
            same_claim = by_claim.get(row.claim_id, set())
            same_claim.discard(row.id)
            reporter_count, claim_count = int(not pair), int(not same_claim)
        values.append(
            {
                "id": row.id,
                "policyholder_id": None,
                "claim_id": None,
                "claim_provider_id": None,
                "claim_amount_billed": None,
                "description": ERASED_DESCRIPTION,
                "provider_name": ERASED_PROVIDER,
                "provider_search": "",
                "transcript": [],
                "idempotency_key": None,
                "request_fingerprint": None,
                "care_date": row.care_date.replace(day=1),
                "purged_at": now,
                "updated_at": now,
                "purged_provider_id": row.provider_id,
                "purged_reporter_count": reporter_count,
                "purged_claim_count": claim_count,
            }
        )
    session.execute(update(Report), values)
    erase_notes(session=session, ids=ids)
    session.flush()
    return len(values)


def erase_notes(*, session: Session, ids: list[int]) -> None:
    """Notes and complements in the reports' history: what agents or the person wrote."""
    session.execute(
        update(ReportEvent)
        .where(and_(ReportEvent.report_id.in_(ids), ReportEvent.note.is_not(None)))
        .values(note=ERASED_NOTE)
        .execution_options(synchronize_session=False)
    )
