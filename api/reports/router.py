from datetime import date
from typing import Annotated

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
from api.reports import service
from api.reports.schemas import (
    ReportCreate,
    ReportOut,
    ReportStaffOut,
    ReportUpdate,
    report_out,
    report_staff_out,
)
from api.reports.workflow import AnomalyType, ReportStatus

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


@router.post(
    "",
    response_model=ReportOut,
    status_code=status.HTTP_201_CREATED,
    summary="Déposer un signalement",
    responses={200: {"description": "Nouvel essai d'un dépôt déjà enregistré"}},
)
def file_report(
    data: ReportCreate,
    response: Response,
    session: SessionDep,
    principal: AssistantOrPolicyholderDep,
    settings: SettingsDep,
    idempotency_key: IdempotencyKey = None,
) -> ReportOut:
    today = local_today(settings.timezone)
    report, created = service.file_report(
        session=session,
        policyholder_id=principal.id,
        data=data,
        idempotency_key=idempotency_key,
        today=today,
        history_start=months_before(today, settings.claim_history_months),
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
    sort: service.SortKey = "-created_at",
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Page[ReportStaffOut] | Page[ReportOut]:
    """Agents see every report; a policyholder sees their own, with their status."""
    filters = service.ReportFilters(
        policyholder_id=principal.id if principal.is_policyholder else policyholder_id,
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
    reports, total = service.list_reports(
        session=session, filters=filters, sort=sort, limit=limit, offset=offset
    )
    if principal.is_policyholder:
        return Page(items=[report_out(r) for r in reports], total=total, limit=limit, offset=offset)
    items = [report_staff_out(r, with_events=False) for r in reports]
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.get(
    "/{reference}",
    response_model=ReportStaffOut | ReportOut,
    summary="Voir un signalement",
)
def get_report(
    reference: Reference, session: SessionDep, principal: ReportReaderDep
) -> ReportStaffOut | ReportOut:
    owner = principal.id if principal.is_policyholder else None
    report = service.get_report(session=session, reference=reference, policyholder_id=owner)
    return report_out(report) if principal.is_policyholder else report_staff_out(report)


@router.patch("/{reference}", response_model=ReportStaffOut, summary="Traiter un signalement")
def update_report(
    reference: Reference, data: ReportUpdate, session: SessionDep, agent: AgentDep
) -> ReportStaffOut:
    report = service.update_report(
        session=session, reference=reference, actor_id=agent.id, data=data
    )
    return report_staff_out(report)
