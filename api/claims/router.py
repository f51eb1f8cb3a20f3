from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, status

from api.accounts.deps import (
    AdminDep,
    AssistantOrPolicyholderDep,
    AssistantOrReaderDep,
    SettingsDep,
)
from api.claims import service
from api.claims.access import readable_claims
from api.claims.schemas import ClaimCandidate, ClaimCreate, ClaimMatches, ClaimOut, claim_out
from api.core.clock import local_today, months_before
from api.core.db import SessionDep
from api.core.errors import InvalidInput
from api.core.schemas import DbId, Page

router = APIRouter(prefix="/claims", tags=["remboursements"])

ProviderText = Annotated[str | None, Query(max_length=200)]


@router.get("", response_model=Page[ClaimOut], summary="Lister les remboursements")
def list_claims(
    session: SessionDep,
    principal: AssistantOrReaderDep,
    date_from: date | None = None,
    date_to: date | None = None,
    provider: ProviderText = None,
    policyholder_id: Annotated[int | None, Query(gt=0, lt=2**31)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Page[ClaimOut]:
    """A policyholder sees only their own claims; agents may filter by policyholder."""
    if principal.is_policyholder:  # what they may read is their own claims already
        policyholder_id = None
    if date_from and date_to and date_from > date_to:
        raise InvalidInput("La date de début doit précéder la date de fin.", field="date_from")
    filters = service.ClaimFilters(date_from, date_to, provider, policyholder_id)
    claims, total = service.list_claims(
        session=session,
        readable=readable_claims(principal),
        filters=filters,
        limit=limit,
        offset=offset,
    )
    return Page(items=[claim_out(c) for c in claims], total=total, limit=limit, offset=offset)


@router.get("/match", response_model=ClaimMatches, summary="Retrouver un remboursement")
def match_claims(
    session: SessionDep,
    principal: AssistantOrPolicyholderDep,
    settings: SettingsDep,
    care_date: date | None = None,
    provider: ProviderText = None,
    limit: Annotated[int, Query(ge=1, le=20)] = 5,
) -> ClaimMatches:
    """The caller's claims that best fit a date of care and a provider as a person types them."""
    if care_date is None and not (provider and provider.strip()):
        raise InvalidInput("Indiquez au moins la date des soins ou le professionnel de santé.")
    today = local_today(settings.timezone)
    candidates = service.match_claims(
        session=session,
        policyholder_id=principal.id,
        care_date=care_date,
        provider_text=provider,
        max_days_off=settings.claim_match_max_days_off,
        history_start=months_before(today, settings.claim_history_months),
        limit=limit,
    )
    return ClaimMatches(
        candidates=[
            ClaimCandidate(
                claim=claim_out(c.claim),
                score=c.score,
                provider_score=c.provider_score,
                days_off=c.days_off,
            )
            for c in candidates
        ]
    )


@router.get("/{claim_id}", response_model=ClaimOut, summary="Voir un remboursement")
def get_claim(claim_id: DbId, session: SessionDep, principal: AssistantOrReaderDep) -> ClaimOut:
    readable = readable_claims(principal)
    return claim_out(service.get_claim(session=session, claim_id=claim_id, readable=readable))


@router.post(
    "",
    response_model=ClaimOut,
    status_code=status.HTTP_201_CREATED,
    summary="Enregistrer un remboursement",
)
def record_claim(
    data: ClaimCreate, session: SessionDep, _admin: AdminDep, settings: SettingsDep
) -> ClaimOut:
    claim = service.record_claim(
        session=session,
        data=data,
        today=local_today(settings.timezone),
        notify_window_days=settings.notify_window_days,
    )
    return claim_out(claim)
