from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Response, status

from api.accounts.deps import (
    AgentDep,
    AssistantOrPolicyholderDep,
    AssistantOrReaderDep,
    SettingsDep,
)
from api.core.clock import local_today, months_before
from api.core.db import SessionDep
from api.core.schemas import Page
from api.reports import complements, decisions, filing, listing
from api.reports.access import get_report as readable_report
from api.reports.access import readable_reports
from api.reports.limits import ReportLimits
from api.reports.schemas import (
    ComplementCreate,
    ReportCreate,
    ReportOut,
    ReportStaffOut,
    ReportUpdate,
    report_out,
    report_staff_out,
)
from api.reports.workflow import AnomalyType, Channel, ReportStatus

router = APIRouter(prefix="/reports", tags=["signalements"])

ReportReaderDep = AssistantOrReaderDep
Reference = Annotated[str, Path(max_length=32, examples=["SIG-2026-000123"])]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        pattern=r"^[\x21-\x7e]+$",
        description=(
            "Une même clé renvoie le même signalement : un nouvel essai n'en crée pas un second."
        ),
    ),
]


FILING_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "Nouvel essai d'un dépôt déjà enregistré (même clé, même contenu)"},
    403: {"description": "`transcript` ou `channel` envoyés par un autre que l'assistant"},
    409: {
        "description": "Un signalement de l'assuré est déjà ouvert sur ce remboursement "
        "(`code: already_reported`, sa `reference`), ou clé déjà utilisée pour un autre dépôt"
    },
    429: {"description": "Trop de signalements sur ce professionnel (`code: report_limit`)"},
}


@router.post(
    "",
    response_model=ReportOut,
    status_code=status.HTTP_201_CREATED,
    summary="Déposer un signalement",
    responses=FILING_RESPONSES,
)
def file_report(
    data: ReportCreate,
    response: Response,
    session: SessionDep,
    principal: AssistantOrPolicyholderDep,
    settings: SettingsDep,
    idempotency_key: IdempotencyKey = None,
) -> ReportOut:
    """Only the assistant's service identity may send `transcript` and `channel`; a direct
    filing is recorded with the channel `api` and no transcript."""
    today = local_today(settings.timezone)
    report, created = filing.file_report(
        session=session,
        policyholder_id=principal.id,
        data=data,
        idempotency_key=idempotency_key,
        today=today,
        history_start=months_before(today, settings.claim_history_months),
        limits=ReportLimits.from_settings(settings),
        via_assistant=principal.via_assistant,
        direct_channel=Channel.API,
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    # A new report has no complement yet: no need to read its events.
    return report_out(report, [] if created else None)


@router.post(
    "/{reference}/complements",
    response_model=ReportOut,
    status_code=status.HTTP_201_CREATED,
    summary="Compléter son signalement",
    responses={
        200: {"description": "Nouvel essai d'un complément déjà ajouté (même clé, même texte)"},
        409: {"description": "Signalement clos (`code: report_closed`), ou clé déjà utilisée"},
    },
)
def add_complement(
    reference: Reference,
    data: ComplementCreate,
    response: Response,
    session: SessionDep,
    principal: AssistantOrPolicyholderDep,
    idempotency_key: IdempotencyKey = None,
) -> ReportOut:
    """The report's owner adds what they know since; another person's report is not found."""
    report, created = complements.add_complement(
        session=session,
        reference=reference,
        policyholder_id=principal.id,
        text=data.text,
        idempotency_key=idempotency_key,
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    return report_out(report)


@router.get(
    "",
    response_model=Page[ReportStaffOut] | Page[ReportOut],
    summary="Lister les signalements",
)
def list_reports(
    session: SessionDep,
    principal: ReportReaderDep,
    status_: Annotated[ReportStatus | None, Query(alias="status")] = None,
    anomaly_type: AnomalyType | None = None,
    claim_id: Annotated[int | None, Query(gt=0, lt=2**31)] = None,
    policyholder_id: Annotated[int | None, Query(gt=0, lt=2**31)] = None,
    assigned_to_id: Annotated[int | None, Query(gt=0, lt=2**31)] = None,
    provider: Annotated[str | None, Query(max_length=200)] = None,
    q: Annotated[
        str | None, Query(max_length=200, description="Texte cherché dans la description")
    ] = None,
    created_from: date | None = None,
    created_to: date | None = None,
    care_date_from: date | None = None,
    care_date_to: date | None = None,
    sort: listing.SortKey = "-created_at",
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Page[ReportStaffOut] | Page[ReportOut]:
    """Agents see every report; a policyholder sees their own, with their status."""
    filters = listing.ReportFilters(
        policyholder_id=None if principal.is_policyholder else policyholder_id,
        status=status_,
        anomaly_type=anomaly_type,
        claim_id=claim_id,
        assigned_to_id=assigned_to_id,
        provider=provider,
        text=q,
        created_from=created_from,
        created_to=created_to,
        care_date_from=care_date_from,
        care_date_to=care_date_to,
    )
    reports, total = listing.list_reports(
        session=session,
        readable=readable_reports(principal),
        filters=filters,
        sort=sort,
        limit=limit,
        offset=offset,
    )
    added = complements.complements_by_report(session=session, report_ids=[r.id for r in reports])
    if principal.is_policyholder:
        mine = [report_out(r, added.get(r.id, [])) for r in reports]
        return Page(items=mine, total=total, limit=limit, offset=offset)
    items = [
        report_staff_out(r, with_events=False, complements=added.get(r.id, [])) for r in reports
    ]
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.get(
    "/{reference}",
    response_model=ReportStaffOut | ReportOut,
    summary="Voir un signalement",
)
def get_report(
    reference: Reference, session: SessionDep, principal: ReportReaderDep
) -> ReportStaffOut | ReportOut:
    report = readable_report(
        session=session, reference=reference, readable=readable_reports(principal)
    )
    return report_out(report) if principal.is_policyholder else report_staff_out(report)


@router.patch("/{reference}", response_model=ReportStaffOut, summary="Traiter un signalement")
def update_report(
    reference: Reference, data: ReportUpdate, session: SessionDep, agent: AgentDep
) -> ReportStaffOut:
    report = decisions.update_report(
        session=session, reference=reference, actor_id=agent.id, data=data
    )
    return report_staff_out(report)
