from datetime import datetime

from pydantic import BaseModel, ConfigDict

from api.notifications.models import NotificationKind, NotificationState


class NotificationOut(BaseModel):
    """One email of the outbox, as administrators follow its delivery."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    policyholder_id: int
    kind: NotificationKind
    to_address: str
    subject: str
    state: NotificationState
    attempts: int
    send_after: datetime
    next_attempt_at: datetime | None
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None
