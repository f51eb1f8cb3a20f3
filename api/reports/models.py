"""Reports filed by policyholders, and the audit trail of what agents did with them."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.claims.models import Claim, Money
from api.core.db import Base, UTCDateTime, str_enum, utcnow
from api.reports.workflow import OPEN_STATUSES, AnomalyType, Channel, EventKind, ReportStatus

REFERENCE_PREFIX = "SIG"
# The rows of the partial unique index "one open report per person and claim".
OPEN_REPORT = text(
    "status IN ({})".format(", ".join(f"'{s.value}'" for s in ReportStatus if s in OPEN_STATUSES))
)


# The columns of the queue's covering index, the window's bound first.
QUEUE_COLUMNS = (
    "created_at",
    "id",
    "status",
    "anomaly_type",
    "claim_provider_id",
    "policyholder_id",
    "claim_amount_billed",
)


class Report(Base):
    __tablename__ = "report"
    __table_args__ = (
        UniqueConstraint("policyholder_id", "idempotency_key", name="uq_report_idempotency"),
        Index("ix_report_status_created_at", "status", "created_at"),
        # The agents' queue (api/reports/priority.py) reads the window's reports from this index
        # alone: the providers' figures and the candidates, newest first, without the claims.
        Index("ix_report_queue", *QUEUE_COLUMNS),
        # One open report per person and claim (reports without a claim are not concerned).
        Index(
            "uq_report_open_claim",
            "policyholder_id",
            "claim_id",
            unique=True,
            sqlite_where=OPEN_REPORT,
            postgresql_where=OPEN_REPORT,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # None once the report's personal data is erased (see purged_at).
    policyholder_id: Mapped[int | None] = mapped_column(ForeignKey("policyholder.id"), index=True)
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("claim.id"), index=True)
    # Copied from the claim when the report is filed (a paid claim never changes), so that the
    # agents' queue ranks reports without reading the claims; cut with the claim at purge. (No
    # foreign key of its own: the claim's provider_id has one.)
    claim_provider_id: Mapped[int | None] = mapped_column(Integer)
    claim_amount_billed: Mapped[Decimal | None] = mapped_column(Money)
    care_date: Mapped[date] = mapped_column(Date)
    provider_name: Mapped[str] = mapped_column(String(200))
    # The provider name folded (lower case, no accents) for searches on every database.
    provider_search: Mapped[str] = mapped_column(String(200), index=True)
    description: Mapped[str] = mapped_column(Text)
    anomaly_type: Mapped[AnomalyType] = mapped_column(str_enum(AnomalyType, name="anomaly_type"))
    status: Mapped[ReportStatus] = mapped_column(
        str_enum(ReportStatus, name="report_status"), default=ReportStatus.RECEIVED
    )
    channel: Mapped[Channel] = mapped_column(str_enum(Channel, name="report_channel", length=20))
    transcript: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # True when the assistant's service identity filed it (only then is a transcript attached),
    # False for a direct filing; NULL for reports filed before the API checked who attached it.
    via_assistant: Mapped[bool | None] = mapped_column(Boolean)
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    # Hash of the fields that define the report, to tell a retry from a reused key.
    request_fingerprint: Mapped[str | None] = mapped_column(String(64))
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"), index=True)
    # Set when an agent links this report to an earlier one about the same facts.
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("report.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    # --- Retention (api/retention/) ---
    # When the personal data was erased: texts blanked, links to the person and the claim cut.
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set at purge from the claim, for the provider's figures: the provider as registered, and
    # how many distinct reporters (0 or 1) and claims (0 or 1) this report still stands for.
    purged_provider_id: Mapped[int | None] = mapped_column(ForeignKey("provider.id"), index=True)
    purged_reporter_count: Mapped[int | None] = mapped_column(Integer)
    purged_claim_count: Mapped[int | None] = mapped_column(Integer)
    # --- end of retention ---

    claim: Mapped[Claim | None] = relationship()
    events: Mapped[list["ReportEvent"]] = relationship(
        back_populates="report", order_by="ReportEvent.id", cascade="all, delete-orphan"
    )

    @property
    def reference(self) -> str:
        """The reference given to the policyholder: SIG-<year filed>-<number>."""
        return format_reference(self.created_at.year, self.id)


def format_reference(year: int, report_id: int) -> str:
    return f"{REFERENCE_PREFIX}-{year}-{report_id:06d}"


def parse_reference(reference: str) -> tuple[int, int] | None:
    """(year, id) of a well-formed reference, else None."""
    parts = reference.strip().upper().split("-")
    if len(parts) != 3 or parts[0] != REFERENCE_PREFIX:
        return None
    year, number = parts[1], parts[2]
    if not (year.isdigit() and len(year) == 4 and number.isdigit() and 6 <= len(number) <= 10):
        return None
    report_id = int(number)
    return (int(year), report_id) if 0 < report_id < 2**31 else None


class ReportEvent(Base):
    """One line of a report's audit log: who did what, when."""

    __tablename__ = "report_event"
    __table_args__ = (
        UniqueConstraint("report_id", "idempotency_key", name="uq_report_event_idempotency"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id"), index=True)
    kind: Mapped[EventKind] = mapped_column(str_enum(EventKind, name="event_kind", length=20))
    # The staff member who acted; None when the policyholder did (filing, a complement).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    from_status: Mapped[ReportStatus | None] = mapped_column(
        str_enum(ReportStatus, name="event_from_status")
    )
    to_status: Mapped[ReportStatus | None] = mapped_column(
        str_enum(ReportStatus, name="event_to_status")
    )
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    note: Mapped[str | None] = mapped_column(Text)
    # The Idempotency-Key of the policyholder's request that added a complement.
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    report: Mapped[Report] = relationship(back_populates="events")
