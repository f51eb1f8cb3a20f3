from collections.abc import Sequence
from datetime import date
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, status
from sqlalchemy.orm import Session

from api.accounts.deps import (
    AdminDep,
    AssistantOrPolicyholderDep,
    AssistantOrReaderDep,
    SettingsDep,
)
from api.accounts.service import Principal
from api.claims import service
from api.claims.access import readable_claims
from api.claims.models import Claim
from api.claims.schemas import (
    ClaimCandidate,
    ClaimCreate,
    ClaimMatches,
    ClaimOut,
    ClaimReportOut,
    claim_out,
)
from api.core.clock import local_today, months_before
from api.core.config import Settings
from api.core.db import SessionDep
from api.core.errors import InvalidInput
from api.core.schemas import DbId, Page
from api.reports import listing as report_listing
from api.reports.access import readable_reports

router = APIRouter(prefix="/claims", tags=["remboursements"])

ProviderText = Annotated[str | None, Query(max_length=200)]


def open_reports(
    session: Session, principal: Principal, settings: Settings, claims: Sequence[Claim]
) -> dict[int, ClaimReportOut]:
    """The open report on each claim, among the reports the caller may read (a policyholder:
    their own), in one query for the whole list."""
    found = report_listing.reports_on_claims(
        session=session,
        readable=readable_reports(principal),
        claim_ids=[claim.id for claim in claims],
    )
    zone = ZoneInfo(settings.timezone)
    return {
        claim_id: ClaimReportOut(
            reference=report.reference, filed_on=report.filed_at.astimezone(zone).date()
        )
        for claim_id, reports in found.items()
        if (report := report_listing.open_report(reports)) is not None
    }


@router.get("", response_model=Page[ClaimOut], summary="Lister les remboursements")
def list_claims(
    session: SessionDep,
    principal: AssistantOrReaderDep,
    settings: SettingsDep,
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
    reports = open_reports(session, principal, settings, claims)
    items = [claim_out(c, reports.get(c.id)) for c in claims]
    return Page(items=items, total=total, limit=limit, offset=offset)


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
    reports = open_reports(session, principal, settings, [c.claim for c in candidates])
    return ClaimMatches(
        candidates=[
            ClaimCandidate(
                claim=claim_out(c.claim, reports.get(c.claim.id)),
                score=c.score,
                provider_score=c.provider_score,
                days_off=c.days_off,
            )
            for c in candidates
        ]
    )


@router.get("/{claim_id}", response_model=ClaimOut, summary="Voir un remboursement")
def get_claim(
    claim_id: DbId, session: SessionDep, principal: AssistantOrReaderDep, settings: SettingsDep
) -> ClaimOut:
    readable = readable_claims(principal)
    claim = service.get_claim(session=session, claim_id=claim_id, readable=readable)
    return claim_out(claim, open_reports(session, principal, settings, [claim]).get(claim.id))


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
