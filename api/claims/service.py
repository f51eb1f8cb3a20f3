"""Claims: the policyholder's payments, recording a new one, and finding the one a person means."""

from dataclasses import dataclass
from datetime import date, timedelta

from rapidfuzz import fuzz
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from api.accounts.models import Policyholder
from api.claims.access import owned_claims
from api.claims.catalogue import ACTS, KIND_WORDS
from api.claims.models import Claim, Provider
from api.claims.schemas import ClaimCreate
from api.core.clock import add_days
from api.core.db import utcnow
from api.core.errors import InvalidInput, NotFound
from api.core.text import fold, significant_words
from api.notifications import service as notifications_service

# Below this provider similarity (0–100) a claim is not offered as a candidate.
MIN_PROVIDER_SCORE = 75
# Score lost per day between the date typed and the date of care.
DAY_PENALTY = 4
MAX_CANDIDATES_SCANNED = 500


@dataclass(frozen=True)
class ClaimFilters:
    """What a reader narrows a list to, within what they may read (api/claims/access.py)."""

    date_from: date | None = None
    date_to: date | None = None
    provider: str | None = None
    policyholder_id: int | None = None


def list_claims(
    *,
    session: Session,
    readable: ColumnElement[bool],
    filters: ClaimFilters,
    limit: int,
    offset: int,
) -> tuple[list[Claim], int]:
    """Claims newest first, as the account's payments page shows them."""
    stmt = select(Claim).where(readable)
    if filters.policyholder_id is not None:
        stmt = stmt.where(Claim.policyholder_id == filters.policyholder_id)
    if filters.date_from is not None:
        stmt = stmt.where(Claim.care_date >= filters.date_from)
    if filters.date_to is not None:
        stmt = stmt.where(Claim.care_date <= filters.date_to)
    if filters.provider and (needle := fold(filters.provider)):
        stmt = stmt.join(Claim.provider).where(
            Provider.search_name.contains(needle, autoescape=True)
        )
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    page = stmt.order_by(Claim.care_date.desc(), Claim.id.desc()).limit(limit).offset(offset)
    return list(session.scalars(page)), total


def get_claim(*, session: Session, claim_id: int, readable: ColumnElement[bool]) -> Claim:
    """A claim, if `readable` keeps it: another policyholder's claim does not exist for them."""
    claim = session.scalars(select(Claim).where(Claim.id == claim_id, readable)).first()
    if claim is None:
        raise NotFound("Ce remboursement est introuvable.")
    return claim


@dataclass(frozen=True)
class Candidate:
    claim: Claim
    score: int
    provider_score: int | None
    days_off: int


def provider_similarity(typed: str, provider: Provider) -> int | None:
    """How well what a person typed names this provider, 0–100; None if it names nobody."""
    query = significant_words(typed)
    if not query:
        return None
    name = significant_words(provider.name)
    with_kind = f"{name} {fold(' '.join(KIND_WORDS[provider.kind]))}"
    return round(
        max(
            fuzz.token_set_ratio(query, name),
            fuzz.WRatio(query, name),
            fuzz.token_set_ratio(query, with_kind),
        )
    )


def match_claims(
    *,
    session: Session,
    policyholder_id: int,
    care_date: date | None,
    provider_text: str | None,
    max_days_off: int,
    history_start: date,
    limit: int,
) -> list[Candidate]:
    """The policyholder's claims that fit a date (give or take a few days) and a provider."""
    stmt = select(Claim).where(owned_claims(policyholder_id))
    if care_date is not None:
        window = (add_days(care_date, -max_days_off), add_days(care_date, max_days_off))
        stmt = stmt.where(Claim.care_date.between(*window))
    else:
        stmt = stmt.where(Claim.care_date >= history_start)
    stmt = stmt.order_by(Claim.care_date.desc()).limit(MAX_CANDIDATES_SCANNED)

    candidates = []
    for claim in session.scalars(stmt):
        days_off = abs((claim.care_date - care_date).days) if care_date else 0
        provider_score = (
            provider_similarity(provider_text, claim.provider) if provider_text else None
        )
        if provider_score is not None and provider_score < MIN_PROVIDER_SCORE:
            continue
        score = (provider_score if provider_score is not None else 100) - DAY_PENALTY * days_off
        candidates.append(Candidate(claim, max(score, 0), provider_score, days_off))
    candidates.sort(key=lambda c: (-c.score, c.days_off, -c.claim.care_date.toordinal()))
    return candidates[:limit]


def record_claim(
    *, session: Session, data: ClaimCreate, today: date, notify_window_days: int
) -> Claim:
    """Record a reimbursed claim, labelled from the act catalogue, and plan the email about it."""
    if data.care_date > today:
        raise InvalidInput("La date des soins ne peut pas être dans le futur.", field="care_date")
    act = ACTS.get(data.act_code.strip().upper())
    if act is None:
        raise InvalidInput("Ce code d'acte est inconnu.", field="act_code")
    holder = session.get(Policyholder, data.policyholder_id)
    if holder is None:
        raise InvalidInput("Cet assuré est introuvable.", field="policyholder_id")
    if session.get(Provider, data.provider_id) is None:
        raise InvalidInput("Ce professionnel de santé est introuvable.", field="provider_id")
    claim = Claim(
        policyholder_id=data.policyholder_id,
        provider_id=data.provider_id,
        care_date=data.care_date,
        act_code=act.code,
        act_label=act.label,
        quantity=data.quantity,
        amount_billed=data.amount_billed,
        reimbursement_base=act.base * data.quantity,
        reimbursement_rate=act.rate,
        amount_reimbursed=data.amount_reimbursed,
        paid_date=data.paid_date or today,
        third_party_payment=data.third_party_payment,
    )
    session.add(claim)
    session.flush()
    notifications_service.queue_payment_notice(
        session=session,
        policyholder=holder,
        now=utcnow(),
        window=timedelta(days=notify_window_days),
    )
    return claim
