"""A report's audit log in plain French: who, when, what."""

from dataclasses import dataclass
from datetime import datetime

from api.reports.models import ReportEvent
from api.reports.workflow import STATUS_LABELS, Channel, EventKind, ReportStatus

CHANNEL_LABELS: dict[Channel, str] = {
    Channel.ASSISTANT: "l'assistant en ligne",
    Channel.WEB: "le site",
    Channel.API: "l'API",
}
POLICYHOLDER = "L'assuré"
UNKNOWN_STAFF = "Agent inconnu"


@dataclass(frozen=True)
class HistoryLine:
    at: datetime
    who: str
    what: str
    note: str | None  # typed by an agent: shown escaped, line breaks kept
    kind: EventKind


def _status(status: ReportStatus | None) -> str:
    return f"« {STATUS_LABELS[status]} »" if status else "—"


def describe(event: ReportEvent, names: dict[int, str], channel: Channel) -> HistoryLine:
    who = POLICYHOLDER if event.actor_id is None else names.get(event.actor_id, UNKNOWN_STAFF)
    note = None
    match event.kind:
        case EventKind.CREATED:
            what = f"Signalement déposé par {CHANNEL_LABELS[channel]}"
        case EventKind.STATUS_CHANGED:
            what = f"Statut {_status(event.from_status)} → {_status(event.to_status)}"
        case EventKind.ASSIGNED if event.assigned_to_id is None:
            what = "Affectation retirée"
        case EventKind.ASSIGNED:
            assignee = names.get(event.assigned_to_id or 0, UNKNOWN_STAFF)
            what = f"Affecté à {assignee}"
        case _:
            what, note = "Note", event.note
    return HistoryLine(event.created_at, who, what, note, event.kind)


def history(
    events: list[ReportEvent], names: dict[int, str], channel: Channel
) -> list[HistoryLine]:
    return [describe(event, names, channel) for event in events]
