"""Filing a report: once per idempotency key, one open report per person and claim, within the
caps per person and provider, and a transcript only from the assistant's service identity."""

import hashlib
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Insert, bindparam, select
from sqlalchemy import insert as insert_statement
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from api.accounts.models import Policyholder
from api.claims.access import owned_claims
from api.claims.models import Claim
from api.core.db import utcnow
from api.core.errors import Conflict, Forbidden, InvalidInput
from api.core.text import fold, french_spacing
from api.reports.access import owned_reports
from api.reports.limits import ReportLimits, refusal, same_provider, within_limits
from api.reports.models import Report, ReportEvent
from api.reports.schemas import ReportCreate
from api.reports.workflow import OPEN_STATUSES, STATUS_LABELS, Channel, EventKind, ReportStatus

# What only the assistant's service identity may tell about a filing.
ASSISTANT_FIELDS = ("transcript", "channel")


class AlreadyReported(Conflict):
    code = "already_reported"


class AssistantOnly(Forbidden):
    code = "assistant_only"


def fingerprint(data: ReportCreate) -> str:
    """What makes two filings the same report (the transcript may grow between retries)."""
    core = {
        "claim_id": data.claim_id,
        "care_date": data.care_date.isoformat(),
        "provider_name": data.provider_name,
        "description": data.description,
        "anomaly_type": data.anomaly_type.value,
    }
    return hashlib.sha256(json.dumps(core, sort_keys=True).encode()).hexdigest()


def file_report(
    *,
    session: Session,
    policyholder_id: int,
    data: ReportCreate,
    idempotency_key: str | None,
    today: date,
    history_start: date,
    limits: ReportLimits,
    via_assistant: bool = False,
    direct_channel: Channel = Channel.API,
) -> tuple[Report, bool]:
    """File a report; returns it and whether it is new (False: a retry of the same filing).

    `via_assistant`: the assistant's service identity files on the policyholder's behalf, and
    only then may the filing carry a transcript and a channel; a direct filing is recorded
    with `direct_channel` (the JSON API, or the pages) and no transcript.
    """
    if not via_assistant:
        _refuse_assistant_fields(data)
    _check_dates(data, today, history_start)
    provider_id, amount_billed = _claim_figures(session, policyholder_id, data.claim_id)
    now = utcnow()
    values = _row(policyholder_id, data, idempotency_key, via_assistant, direct_channel, now)
    values.update(claim_provider_id=provider_id, claim_amount_billed=amount_billed)
    similar = same_provider(policyholder_id, provider_id, values["provider_search"])
    _one_filing_at_a_time(session, policyholder_id)
    # One statement files the report, unless the caps refuse it or a unique index already holds
    # it: the key filed one (a retry, or a concurrent request that committed first), or the
    # person has an open report on this claim. Then we find out which, and answer with it.
    report = _insert_unless_filed(session, values, within_limits(similar, limits, now))
    if report is None:
        return _not_filed(session, values, similar, limits, now), False
    session.execute(
        insert_statement(ReportEvent).values(
            report_id=report.id,
            kind=EventKind.CREATED,
            to_status=ReportStatus.RECEIVED,
            created_at=now,
        )
    )
    return report, True


def _row(
    policyholder_id: int,
    data: ReportCreate,
    idempotency_key: str | None,
    via_assistant: bool,
    direct_channel: Channel,
    now: datetime,
) -> dict[str, Any]:
    """The report's row: a direct filing keeps neither the transcript nor the channel sent."""
    return {
        "policyholder_id": policyholder_id,
        "claim_id": data.claim_id,
        "care_date": data.care_date,
        "provider_name": data.provider_name,
        "provider_search": fold(data.provider_name)[:200],
        "description": data.description,
        "anomaly_type": data.anomaly_type,
        "status": ReportStatus.RECEIVED,
        "channel": data.channel if via_assistant else direct_channel,
        "transcript": [t.model_dump(mode="json") for t in data.transcript] if via_assistant else [],
        "via_assistant": via_assistant,
        "idempotency_key": idempotency_key,
        "request_fingerprint": fingerprint(data),
        "created_at": now,
        "updated_at": now,
    }


def _one_filing_at_a_time(session: Session, policyholder_id: int) -> None:
    """Serialise one person's filings, so the caps count what the others committed. PostgreSQL:
    lock the policyholder's row (NO KEY UPDATE does not conflict with the key-share lock the
    report's foreign key takes); SQLite: the write lock taken at BEGIN IMMEDIATE already does."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            select(Policyholder.id)
            .where(Policyholder.id == policyholder_id)
            .with_for_update(key_share=True)
        )


def _check_dates(data: ReportCreate, today: date, history_start: date) -> None:
    if data.care_date > today:
        raise InvalidInput("La date des soins ne peut pas être dans le futur.", field="care_date")
    if data.care_date < history_start:
        raise InvalidInput(
            "Cette date est antérieure à l'historique de vos remboursements "
            f"(depuis le {history_start.strftime('%d/%m/%Y')}).",
            field="care_date",
        )


def _refuse_assistant_fields(data: ReportCreate) -> None:
    sent = [name for name in ASSISTANT_FIELDS if name in data.model_fields_set]
    if not sent:
        return
    message = french_spacing(
        "Seul l'assistant en ligne peut joindre une conversation (transcript) ou indiquer "
        "le canal (channel) d'un signalement : retirez ces champs pour déposer le vôtre."
    )
    errors = [{"field": name, "message": message} for name in sent]
    raise AssistantOnly(message, extra={"errors": errors})


def _claim_figures(
    session: Session, policyholder_id: int, claim_id: int | None
) -> tuple[int | None, Decimal | None]:
    """Who billed the person's claim and how much (None without a claim); refuses another's."""
    if claim_id is None:
        return None, None
    stmt = select(Claim.provider_id, Claim.amount_billed).where(
        Claim.id == claim_id, owned_claims(policyholder_id)
    )
    figures = session.execute(stmt).one_or_none()
    if figures is None:
        raise InvalidInput("Ce remboursement est introuvable parmi les vôtres.", field="claim_id")
    return figures.provider_id, figures.amount_billed


def _insert_unless_filed(
    session: Session, values: dict[str, Any], allowed: ColumnElement[bool]
) -> Report | None:
    """INSERT … SELECT … WHERE <caps> ON CONFLICT DO NOTHING RETURNING: the new report, or None.

    No conflict target: DO NOTHING then covers every unique index, the idempotency key's and
    the partial one on open reports per person and claim, on PostgreSQL and SQLite alike.
    """
    columns = Report.__table__.c
    row = select(
        *(bindparam(name, value, type_=columns[name].type) for name, value in values.items())
    )
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement: Insert = (
        insert(Report)
        .from_select(list(values), row.where(allowed))
        .on_conflict_do_nothing()
        .returning(Report)
    )
    return session.scalars(statement).one_or_none()


def _not_filed(
    session: Session,
    values: dict[str, Any],
    similar: ColumnElement[bool],
    limits: ReportLimits,
    now: datetime,
) -> Report:
    """Why nothing was filed: a retry with the same key (its report is the answer), an open
    report on the claim (409), or the caps (429)."""
    policyholder_id, key = values["policyholder_id"], values["idempotency_key"]
    if key is not None:
        existing = session.scalars(
            select(Report).where(owned_reports(policyholder_id), Report.idempotency_key == key)
        ).first()
        if existing is not None:
            if existing.request_fingerprint != values["request_fingerprint"]:
                raise Conflict(
                    french_spacing(
                        "Cette clé d'idempotence a déjà servi pour un autre signalement : "
                        "utilisez une nouvelle clé pour un nouveau signalement."
                    )
                )
            return existing
    if values["claim_id"] is not None:
        open_report = session.scalars(
            select(Report).where(
                owned_reports(policyholder_id),
                Report.claim_id == values["claim_id"],
                Report.status.in_(OPEN_STATUSES),
            )
        ).first()
        if open_report is not None:
            raise already_reported(open_report)
    refused = refusal(session=session, reports=similar, limits=limits, now=now)
    if refused is not None:
        raise refused
    # The open report was closed between the two statements: filing again will work.
    raise Conflict(french_spacing("Ce signalement n'a pas pu être enregistré : réessayez."))


def already_reported(report: Report) -> AlreadyReported:
    message = french_spacing(
        f"Vous avez déjà signalé ce remboursement : votre signalement {report.reference} "
        f"(« {STATUS_LABELS[report.status]} ») est toujours en cours de traitement. "
        "Plutôt que d'en déposer un second, vous pouvez lui ajouter un complément : "
        "vos précisions rejoindront son dossier."
    )
    return AlreadyReported(
        message,
        extra={
            "reference": report.reference,
            "status": report.status.value,
            "status_label": STATUS_LABELS[report.status],
        },
    )
