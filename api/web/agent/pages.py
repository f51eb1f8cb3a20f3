"""The console's pages: dashboard, report list and export, a report, a provider."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from sqlalchemy import ColumnElement
from starlette.responses import Response, StreamingResponse

from api.accounts import staff
from api.accounts.deps import SettingsDep
from api.accounts.models import Policyholder
from api.claims.catalogue import kind_label
from api.claims.models import Provider
from api.core.clock import local_today
from api.core.db import SessionDep, utcnow
from api.core.errors import DomainError, NotFound
from api.core.text import significant_words
from api.reports import priority
from api.reports import statistics as stats
from api.reports.access import readable_reports
from api.reports.listing import ReportFilters, count_reports, find_reports
from api.reports.models import Report
from api.reports.related import related_reports
from api.reports.schemas import Turn
from api.reports.workflow import ANOMALY_LABELS, STATUS_LABELS, TRANSITIONS, ReportStatus
from api.web.agent.comparison import (
    compare,
    declared_gap,
    identifier_label,
    provider_label,
    twin_claims,
)
from api.web.agent.export import csv_lines
from api.web.agent.filters import (
    ASSIGNED_ME,
    ASSIGNED_NONE,
    PER_PAGE_CHOICES,
    SORT_LABELS,
    TEXT_MAX,
    ListQuery,
    parse_list_query,
)
from api.web.agent.history import CHANNEL_LABELS, history, transcript_source
from api.web.agent.ui import PREFIX, AgentPageDep, AgentReportDep, page
from api.web.pagination import make_pager, query_string, url_with
from contract.reports import DESCRIPTION_MAX

router = APIRouter(prefix=PREFIX)

DASHBOARD_DAYS = 30
PROVIDER_RECENT = 20


@router.get("")
def dashboard(
    request: Request, session: SessionDep, settings: SettingsDep, agent: AgentPageDep
) -> Response:
    today = local_today(settings.timezone)
    statuses = stats.status_counts(session=session)
    context = {
        "active": "dashboard",
        "statuses": statuses,
        "total": sum(s.count for s in statuses),
        "workload": stats.workload(session=session, agent_id=agent.id),
        "days": stats.reports_per_day(
            session=session, today=today, days=DASHBOARD_DAYS, timezone=settings.timezone
        ),
        "providers": stats.top_providers(session=session),
    }
    return page(request, "agent/dashboard.html", context)


@router.get("/priorites")
def priorities(
    request: Request,
    session: SessionDep,
    agent: AgentPageDep,
    anomaly_type: Annotated[str, Query(max_length=64)] = "",
    page_number: Annotated[str, Query(alias="page", max_length=6)] = "1",
) -> Response:
    """The queue: open reports by their score, with why, 20 a page over the first 10 pages
    (further down, the list and its filters serve better); the providers behind them."""
    anomaly = next((a for a in ANOMALY_LABELS if a.value == anomaly_type), None)
    readable, now = readable_reports(agent), utcnow()
    length = priority.queue_length(
        session=session, readable=readable, now=now, anomaly_type=anomaly
    )
    pager = make_pager(
        page=int(page_number) if page_number.isdigit() else 1,
        per_page=priority.QUEUE_SIZE,
        total=length,
        url=lambda number: url_with(request, page=number),
    )
    queue, ranked_providers = priority.priority_queue(
        session=session,
        readable=readable,
        now=now,
        anomaly_type=anomaly,
        offset=(pager.page - 1) * priority.QUEUE_SIZE,
    )
    context = {
        "active": "priorities",
        "queue": queue,
        "pager": pager,
        "ranked_providers": ranked_providers,
        "queue_days": priority.QUEUE_WINDOW_DAYS,
        "queue_shown_at_most": priority.QUEUE_SIZE * priority.QUEUE_PAGES,
        "anomaly_options": [("", "Tous"), *ANOMALY_LABELS.items()],
        "anomaly_value": anomaly.value if anomaly else "",
    }
    return page(request, "agent/priorities.html", context)


def _filter_options(session: SessionDep, agent_id: int) -> dict[str, Any]:
    agents = staff.assignable(session=session)
    return {
        "status_options": [("", "Tous"), *STATUS_LABELS.items()],
        "anomaly_options": [("", "Tous"), *ANOMALY_LABELS.items()],
        "assigned_options": [
            ("", "Tous"),
            (ASSIGNED_ME, "Moi"),
            (ASSIGNED_NONE, "Personne"),
            *[(str(a.id), a.full_name) for a in agents if a.id != agent_id],
        ],
        "sort_options": list(SORT_LABELS.items()),
        "per_page_options": [(str(n), str(n)) for n in PER_PAGE_CHOICES],
        "text_max": TEXT_MAX,
    }


def _page_and_total(
    session: SessionDep, readable: ColumnElement[bool], query: ListQuery
) -> tuple[list[Report], int]:
    """The page asked for (the last one if past the end) and the number of matches. A partly
    filled first page gives the total without a COUNT: a rare search scans the table once."""

    def find(offset: int, total: int | None = None) -> list[Report]:
        return find_reports(
            session=session,
            readable=readable,
            filters=query.filters,
            sort=query.sort,
            limit=query.per_page,
            offset=offset,
            total=total,
            with_claims=True,
        )

    if query.offset == 0:
        reports = find(0)
        if len(reports) < query.per_page:
            return reports, len(reports)
        return reports, count_reports(session=session, readable=readable, filters=query.filters)
    total = count_reports(session=session, readable=readable, filters=query.filters)
    last_offset = max(0, (total - 1) // query.per_page * query.per_page)
    return find(min(query.offset, last_offset), total), total


@router.get("/signalements")
def report_list(
    request: Request, session: SessionDep, settings: SettingsDep, agent: AgentPageDep
) -> Response:
    query = parse_list_query(request.query_params, agent_id=agent.id, timezone=settings.timezone)
    reports, total = _page_and_total(session, readable_reports(agent), query)
    pager = make_pager(
        page=query.page,
        per_page=query.per_page,
        total=total,
        url=lambda number: url_with(request, page=number),
    )
    provider = (
        session.get(Provider, query.filters.provider_id) if query.filters.provider_id else None
    )
    context = {
        "active": "reports",
        "query": query,
        "reports": reports,
        "pager": pager,
        "names": staff.names(session=session, ids=[r.assigned_to_id for r in reports]),
        "export_url": f"/agent/signalements.csv?{query_string(query.values)}",
        "filtered_provider": provider,
        **_filter_options(session, agent.id),
    }
    return page(request, "agent/reports.html", context)


@router.get("/signalements.csv")
def export_reports(request: Request, settings: SettingsDep, agent: AgentPageDep) -> Response:
    query = parse_list_query(request.query_params, agent_id=agent.id, timezone=settings.timezone)
    if query.errors:
        raise DomainError("Certains filtres ne sont pas valides : corrigez-les depuis la liste.")
    lines = csv_lines(
        request.app.state.sessionmaker,
        readable=readable_reports(agent),
        filters=query.filters,
        sort=query.sort,
        timezone=settings.timezone,
    )
    filename = f"signalements-{local_today(settings.timezone).isoformat()}.csv"
    return StreamingResponse(
        lines,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.get("/signalements/{reference}")
def report_page(
    report: AgentReportDep, request: Request, session: SessionDep, agent: AgentPageDep
) -> Response:
    claim = report.claim
    events = list(report.events)
    names = staff.names(
        session=session,
        ids=[report.assigned_to_id]
        + [e.actor_id for e in events]
        + [e.assigned_to_id for e in events],
    )
    transitions = [s for s in ReportStatus if s in TRANSITIONS[report.status]]
    twins = twin_claims(session=session, claim=claim) if claim else []
    related = related_reports(session=session, report=report)
    context = {
        "active": "reports",
        "report": report,
        "status_label": STATUS_LABELS[report.status],
        "anomaly_label": ANOMALY_LABELS[report.anomaly_type],
        "channel_label": CHANNEL_LABELS[report.channel],
        "policyholder": session.get(Policyholder, report.policyholder_id)
        if report.policyholder_id is not None  # None once erased
        else None,
        "assignee": names.get(report.assigned_to_id) if report.assigned_to_id else None,
        "claim": claim,
        "comparison": compare(report, claim, twins=twins) if claim else [],
        "declared_gap": declared_gap(report, claim, twins),
        "matched_provider": provider_label(claim.provider) if claim else None,
        "transcript": [Turn.model_validate(turn) for turn in report.transcript],
        "transcript_source": transcript_source(report),
        "history": history(events, names, report.channel),
        "related": related,
        "related_groups": related.groups(report),
        "transitions": [(s.value, STATUS_LABELS[s]) for s in transitions],
        "agents": staff.assignable(session=session),
        "me": agent,
        "note_max": DESCRIPTION_MAX,
    }
    return page(request, "agent/report.html", context)


def _signal(policyholders: int) -> str:
    """How much weight the reports carry: independent reports make a cluster."""
    if policyholders >= 3:
        return (
            f"Signalé par {policyholders} assurés différents : un faisceau d'indices, "
            "à examiner en priorité."
        )
    if policyholders == 2:
        return "Signalé par deux assurés différents : à recouper avec les prochains signalements."
    if policyholders == 1:
        return "Signalé par un seul assuré : un indice isolé, faible à lui seul."
    return "Aucun signalement ne porte sur un remboursement de ce professionnel."


@router.get("/professionnels/{provider_id}")
def provider_page(
    provider_id: str, request: Request, session: SessionDep, agent: AgentPageDep
) -> Response:
    provider = None
    if provider_id.isdigit() and 0 < int(provider_id) < 2**31:
        provider = session.get(Provider, int(provider_id))
    if provider is None:
        raise NotFound("Ce professionnel de santé est introuvable.")
    summary = stats.provider_summary(session=session, provider=provider)
    recent = find_reports(
        session=session,
        readable=readable_reports(agent),
        filters=ReportFilters(provider_id=provider.id),
        sort="-created_at",
        limit=PROVIDER_RECENT,
        offset=0,
        with_claims=True,
    )
    context = {
        "active": "reports",
        "summary": summary,
        "provider": provider,
        "kind_label": kind_label(provider.kind),
        "identifier": identifier_label(provider.identifier),
        "signal": _signal(summary.policyholders),
        "recent": recent,
        "names": staff.names(session=session, ids=[r.assigned_to_id for r in recent]),
        "name_search": significant_words(provider.name) or provider.name,
    }
    return page(request, "agent/provider.html", context)
