from datetime import UTC, date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy.orm import object_session

from api.reports.models import Report, ReportEvent
from api.reports.workflow import (
    ANOMALY_LABELS,
    STATUS_LABELS,
    AnomalyType,
    Channel,
    EventKind,
    ReportStatus,
)
from contract.reports import DESCRIPTION_MAX

TRANSCRIPT_MAX_TURNS = 400
TURN_TEXT_MAX = 4000


class Turn(BaseModel):
    """One message of the conversation behind a report."""

    model_config = ConfigDict(extra="forbid")

    sender: Literal["user", "bot"]
    text: str = Field(max_length=TURN_TEXT_MAX)
    timestamp: datetime

    @field_validator("timestamp")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("L'heure doit préciser son fuseau horaire.")
        try:
            return value.astimezone(UTC)
        except OverflowError:  # 0001-01-01T00:00+01:00 is before the first UTC instant
            raise ValueError("Cette heure est hors du calendrier.") from None


def _clean_text(value: str) -> str:
    cleaned = value.strip()
    if not cleaned:
        raise ValueError("Ce texte ne peut pas être vide.")
    return cleaned


class ReportCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    claim_id: int | None = Field(default=None, gt=0, lt=2**31)
    care_date: date
    provider_name: str = Field(max_length=200)
    description: str = Field(max_length=DESCRIPTION_MAX)
    anomaly_type: AnomalyType = AnomalyType.OTHER
    # Only the assistant's service identity may send these two (403 for anyone else).
    channel: Channel = Field(
        default=Channel.ASSISTANT, description="Réservé au service de l'assistant."
    )
    transcript: list[Turn] = Field(
        default_factory=list,
        max_length=TRANSCRIPT_MAX_TURNS,
        description="La conversation du dépôt ; réservée au service de l'assistant.",
    )

    _clean = field_validator("provider_name", "description")(_clean_text)


class ComplementCreate(BaseModel):
    """What the policyholder adds to their report after filing it."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(max_length=DESCRIPTION_MAX)

    _clean = field_validator("text")(_clean_text)


class ReportUpdate(BaseModel):
    """An agent's decision on a report: any of a status change, a note, an assignment."""

    model_config = ConfigDict(extra="forbid")

    status: ReportStatus | None = None
    note: str | None = Field(default=None, max_length=DESCRIPTION_MAX)
    assigned_to_id: int | None = Field(default=None, gt=0, lt=2**31)
    unassign: bool = False

    @field_validator("note")
    @classmethod
    def _clean_note(cls, value: str | None) -> str | None:
        # An explicit null means "no note", as when the field is left out.
        return None if value is None else _clean_text(value)

    @model_validator(mode="after")
    def _something_to_do(self) -> "ReportUpdate":
        if (
            self.status is None
            and self.note is None
            and self.assigned_to_id is None
            and not (self.unassign)
        ):
            raise ValueError("Indiquez un statut, une note ou une affectation.")
        if self.unassign and self.assigned_to_id is not None:
            raise ValueError("Choisissez entre affecter et retirer l'affectation.")
        return self


class ComplementOut(BaseModel):
    text: str
    created_at: datetime


class ReportOut(BaseModel):
    """A report as its author sees it."""

    reference: str
    status: ReportStatus
    status_label: str
    claim_id: int | None
    care_date: date
    provider_name: str
    description: str
    anomaly_type: AnomalyType
    anomaly_label: str
    channel: Channel
    created_at: datetime
    transcript: list[Turn]
    # What the policyholder added since, oldest first.
    complements: list[ComplementOut] = []


class EventOut(BaseModel):
    kind: EventKind
    actor_id: int | None
    from_status: ReportStatus | None
    to_status: ReportStatus | None
    assigned_to_id: int | None
    note: str | None
    created_at: datetime


class ReportStaffOut(ReportOut):
    """A report as agents see it, with its handling and audit log."""

    # None once the personal data is erased (purged_at).
    policyholder_id: int | None
    # True: the assistant's service identity filed it and attached the transcript; False: a
    # direct filing (no transcript); None: filed before the API checked who attached it.
    via_assistant: bool | None
    assigned_to_id: int | None
    # The reference of the report this one repeats, when an agent linked them.
    duplicate_of: str | None = None
    updated_at: datetime
    purged_at: datetime | None = None
    events: list[EventOut]


def _complements(report: Report, complements: list[ReportEvent] | None) -> list[ComplementOut]:
    events = report.events if complements is None else complements
    return [
        ComplementOut(text=event.note or "", created_at=event.created_at)
        for event in events
        if event.kind == EventKind.COMPLEMENT
    ]


def _common(report: Report, complements: list[ReportEvent] | None) -> dict[str, object]:
    """`complements`: the report's complement events when the caller loaded them for a whole
    page (else they are read from `report.events`)."""
    return {
        "reference": report.reference,
        "status": report.status,
        "status_label": STATUS_LABELS[report.status],
        "claim_id": report.claim_id,
        "care_date": report.care_date,
        "provider_name": report.provider_name,
        "description": report.description,
        "anomaly_type": report.anomaly_type,
        "anomaly_label": ANOMALY_LABELS[report.anomaly_type],
        "channel": report.channel,
        "created_at": report.created_at,
        "transcript": [Turn.model_validate(turn) for turn in report.transcript],
        "complements": _complements(report, complements),
    }


def report_out(report: Report, complements: list[ReportEvent] | None = None) -> ReportOut:
    return ReportOut.model_validate(_common(report, complements))


def event_out(event: ReportEvent) -> EventOut:
    return EventOut(
        kind=event.kind,
        actor_id=event.actor_id,
        from_status=event.from_status,
        to_status=event.to_status,
        assigned_to_id=event.assigned_to_id,
        note=event.note,
        created_at=event.created_at,
    )


def _duplicate_of(report: Report) -> str | None:
    if report.duplicate_of_id is None:
        return None
    session = object_session(report)
    original = session.get(Report, report.duplicate_of_id) if session is not None else None
    return original.reference if original is not None else None


def report_staff_out(
    report: Report, *, with_events: bool = True, complements: list[ReportEvent] | None = None
) -> ReportStaffOut:
    return ReportStaffOut.model_validate(
        {
            **_common(report, complements),
            "policyholder_id": report.policyholder_id,
            "via_assistant": report.via_assistant,
            "assigned_to_id": report.assigned_to_id,
            "duplicate_of": _duplicate_of(report),
            "updated_at": report.updated_at,
            "purged_at": report.purged_at,
            "events": [event_out(e) for e in report.events] if with_events else [],
        }
    )
