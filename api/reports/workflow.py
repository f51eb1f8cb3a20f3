"""The life of a report, from receipt to its outcome.

received ──► in_review ──► investigating ──► confirmed
    │            │               │
    └──► duplicate ◄─────────────┤
                 └──► unfounded ◄┘
unfounded / duplicate ──► in_review   (reopened)
"""

from enum import StrEnum


class ReportStatus(StrEnum):
    RECEIVED = "received"
    IN_REVIEW = "in_review"
    INVESTIGATING = "investigating"
    CONFIRMED = "confirmed"
    UNFOUNDED = "unfounded"
    DUPLICATE = "duplicate"


STATUS_LABELS: dict[ReportStatus, str] = {
    ReportStatus.RECEIVED: "Reçu",
    ReportStatus.IN_REVIEW: "En cours d'examen",
    ReportStatus.INVESTIGATING: "Enquête en cours",
    ReportStatus.CONFIRMED: "Anomalie confirmée",
    ReportStatus.UNFOUNDED: "Classé sans suite",
    ReportStatus.DUPLICATE: "Doublon d'un autre signalement",
}

TRANSITIONS: dict[ReportStatus, frozenset[ReportStatus]] = {
    ReportStatus.RECEIVED: frozenset({ReportStatus.IN_REVIEW, ReportStatus.DUPLICATE}),
    ReportStatus.IN_REVIEW: frozenset(
        {ReportStatus.INVESTIGATING, ReportStatus.UNFOUNDED, ReportStatus.DUPLICATE}
    ),
    ReportStatus.INVESTIGATING: frozenset(
        {ReportStatus.CONFIRMED, ReportStatus.UNFOUNDED, ReportStatus.DUPLICATE}
    ),
    ReportStatus.CONFIRMED: frozenset(),
    ReportStatus.UNFOUNDED: frozenset({ReportStatus.IN_REVIEW}),
    ReportStatus.DUPLICATE: frozenset({ReportStatus.IN_REVIEW}),
}


def can_move(current: ReportStatus, target: ReportStatus) -> bool:
    return target in TRANSITIONS[current]


# A report still being handled: one per person and claim (a partial unique index), and the only
# ones a complement can be added to.
OPEN_STATUSES: frozenset[ReportStatus] = frozenset(
    {ReportStatus.RECEIVED, ReportStatus.IN_REVIEW, ReportStatus.INVESTIGATING}
)


class AnomalyType(StrEnum):
    NOT_PERFORMED = "not_performed"
    BILLED_MORE_THAN_PERFORMED = "billed_more_than_performed"
    BILLED_TWICE = "billed_twice"
    UNKNOWN_PROVIDER = "unknown_provider"
    OTHER = "other"


ANOMALY_LABELS: dict[AnomalyType, str] = {
    AnomalyType.NOT_PERFORMED: "Acte non réalisé",
    AnomalyType.BILLED_MORE_THAN_PERFORMED: "Acte facturé plus cher que l'acte réalisé",
    AnomalyType.BILLED_TWICE: "Acte facturé deux fois",
    AnomalyType.UNKNOWN_PROVIDER: "Professionnel de santé inconnu",
    AnomalyType.OTHER: "Autre anomalie",
}


class Channel(StrEnum):
    ASSISTANT = "assistant"
    WEB = "web"
    API = "api"


class EventKind(StrEnum):
    CREATED = "created"
    STATUS_CHANGED = "status_changed"
    NOTE = "note"
    ASSIGNED = "assigned"
    # What the policyholder added to their report after filing it (text in `note`).
    COMPLEMENT = "complement"


COMPLEMENT_LABEL = "Complément de l'assuré"
