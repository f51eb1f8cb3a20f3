"""The outbox: one row per email to send, with its delivery state."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from api.core.db import Base, UTCDateTime, str_enum, utcnow

PAYMENT_NOTICE_SUBJECT = "Information de paiement"


class NotificationKind(StrEnum):
    PAYMENT_NOTICE = "payment_notice"


class NotificationState(StrEnum):
    QUEUED = "queued"  # waiting for next_attempt_at (first send or a retry)
    SENDING = "sending"  # leased by a worker until next_attempt_at
    SENT = "sent"  # accepted by the SMTP server
    FAILED = "failed"  # given up: refused for good, or too many attempts
    CANCELLED = "cancelled"  # the policyholder opted out before it left


PENDING_STATES = (NotificationState.QUEUED, NotificationState.SENDING)


class Notification(Base):
    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_state_next_attempt_at", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    policyholder_id: Mapped[int] = mapped_column(ForeignKey("policyholder.id"), index=True)
    kind: Mapped[NotificationKind] = mapped_column(
        str_enum(NotificationKind, name="notification_kind", length=30)
    )
    # The address at the last attempt (the policyholder's current one is read at send time).
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    state: Mapped[NotificationState] = mapped_column(
        str_enum(NotificationState, name="notification_state", length=20),
        default=NotificationState.QUEUED,
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # When it was meant to leave (the grouping window), and when a worker may take it next:
    # the same at first, then the retry time, or the end of a worker's lease while sending.
    send_after: Mapped[datetime] = mapped_column(UTCDateTime())
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Why the last attempt failed: SMTP code and reply or error type, never the address.
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When it left the pending states for good (sent, failed or cancelled): the retention
    # counts its days from there (api/retention/).
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
