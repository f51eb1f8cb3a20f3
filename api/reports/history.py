"""A report's life as its author may read it: the steps in plain French and what comes next.

Only what the policyholder did (filing, complements) and the status changes are shown: agents'
notes, assignments and names are the agents' working papers, never the policyholder's.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from api.core.text import french_spacing
from api.reports.models import Report, ReportEvent
from api.reports.workflow import EventKind, ReportStatus

FILED = "Vous avez envoyé ce signalement."
COMPLEMENT = "Vous avez ajouté un complément."
REOPENED = french_spacing("Votre signalement a été rouvert : un agent l'examine de nouveau.")

# What the status change means for the person who reported (the new status).
STATUS_STEPS: dict[ReportStatus, str] = {
    ReportStatus.RECEIVED: "Votre signalement a été reçu.",
    ReportStatus.IN_REVIEW: "Un agent a commencé à examiner votre signalement.",
    ReportStatus.INVESTIGATING: "Une enquête a été ouverte sur ce remboursement.",
    ReportStatus.CONFIRMED: "L'anomalie que vous avez signalée a été confirmée.",
    ReportStatus.UNFOUNDED: "Votre signalement a été classé sans suite.",
    ReportStatus.DUPLICATE: (
        "Votre signalement a été rattaché à un autre signalement portant sur les mêmes faits."
    ),
}

# What happens next, one plain sentence per status.
NEXT_STEPS: dict[ReportStatus, str] = {
    status: french_spacing(text)
    for status, text in {
        ReportStatus.RECEIVED: (
            "Un agent va examiner votre signalement. Vous n'avez rien à faire."
        ),
        ReportStatus.IN_REVIEW: (
            "Un agent examine votre signalement. Vous n'avez rien à faire ; si un détail vous "
            "revient, ajoutez un complément."
        ),
        ReportStatus.INVESTIGATING: (
            "Une enquête est en cours sur ce remboursement : elle peut prendre plusieurs "
            "semaines. Vous n'avez rien à faire."
        ),
        ReportStatus.CONFIRMED: (
            "L'Assurance Maladie donne suite à l'anomalie confirmée. Vous n'avez rien à faire : "
            "merci pour votre signalement."
        ),
        ReportStatus.UNFOUNDED: (
            "L'examen n'a pas montré d'anomalie. Si vous avez de nouveaux éléments, vous pouvez "
            "signaler ce remboursement de nouveau depuis « Mes paiements »."
        ),
        ReportStatus.DUPLICATE: (
            "Ces faits étaient déjà signalés : ils sont examinés avec l'autre signalement. "
            "Vous n'avez rien à faire."
        ),
    }.items()
}


@dataclass(frozen=True)
class Step:
    at: datetime
    text: str


def _step(event: ReportEvent) -> str | None:
    """The event as its author reads it, or None for what stays among agents."""
    match event.kind:
        case EventKind.CREATED:
            return FILED
        case EventKind.COMPLEMENT:
            return COMPLEMENT
        case EventKind.STATUS_CHANGED if event.to_status is not None:
            closed = (ReportStatus.UNFOUNDED, ReportStatus.DUPLICATE)
            if event.to_status is ReportStatus.IN_REVIEW and event.from_status in closed:
                return REOPENED
            return STATUS_STEPS[event.to_status]
        case _:
            return None


def policyholder_history(events: list[ReportEvent]) -> list[Step]:
    """The steps of a report its author may read, oldest first."""
    steps = ((event.created_at, _step(event)) for event in events)
    return [Step(at, text) for at, text in steps if text is not None]


def original_of(session: Session, report: Report) -> Report | None:
    """The report this one was found to duplicate, when it is the same person's (another
    person's report is never named to them)."""
    if report.duplicate_of_id is None:
        return None
    original = session.get(Report, report.duplicate_of_id)
    if original is None or original.policyholder_id != report.policyholder_id:
        return None
    return original
