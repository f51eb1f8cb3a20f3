"""A report's audit log in plain French: who, when, what."""

from dataclasses import dataclass
from datetime import datetime

from api.core.text import french_spacing
from api.reports.models import Report, ReportEvent
from api.reports.workflow import COMPLEMENT_LABEL, STATUS_LABELS, Channel, EventKind, ReportStatus

CHANNEL_LABELS: dict[Channel, str] = {
    Channel.ASSISTANT: "l'assistant en ligne",
    Channel.WEB: "le site",
    Channel.API: "l'API",
}
POLICYHOLDER = "L'assuré"
UNKNOWN_STAFF = "Agent inconnu"
# A change no one made by hand (the migration that closed reports filed again on one claim).
AUTOMATIC = "Traitement automatique"
BY_POLICYHOLDER = frozenset({EventKind.CREATED, EventKind.COMPLEMENT})


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
    if event.actor_id is not None:
        who = names.get(event.actor_id, UNKNOWN_STAFF)
    else:
        who = POLICYHOLDER if event.kind in BY_POLICYHOLDER else AUTOMATIC
    note = None
    match event.kind:
        case EventKind.CREATED:
            what = f"Signalement déposé par {CHANNEL_LABELS[channel]}"
        case EventKind.COMPLEMENT:
            what, note = COMPLEMENT_LABEL, event.note
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


@dataclass(frozen=True)
class TranscriptSource:
    """Where the conversation shown with a report comes from, as agents must read it."""

    verified: bool  # attached by the assistant's service identity
    text: str


def transcript_source(report: Report) -> TranscriptSource:
    if report.via_assistant:
        verified, text = (
            True,
            "Conversation jointe par le service de l'assistant en ligne lors du dépôt : "
            "les messages « Assistant » sont bien les siens.",
        )
    elif report.via_assistant is False:
        verified, text = (
            False,
            f"Signalement déposé directement par l'assuré, par {CHANNEL_LABELS[report.channel]} : "
            "aucune conversation n'y est jointe.",
        )
    elif not report.transcript:
        verified, text = False, "Pas de conversation enregistrée pour ce signalement."
    else:
        verified, text = (
            False,
            "Provenance non vérifiée : ce signalement a été déposé avant que l'API ne réserve "
            "la conversation au service de l'assistant. Ce texte a été fourni par l'expéditeur ; "
            "les messages attribués à l'assistant ont pu être écrits par lui.",
        )
    return TranscriptSource(verified, french_spacing(text))
