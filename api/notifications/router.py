from typing import Annotated

from fastapi import APIRouter, Query

from api.accounts.deps import AdminDep
from api.core.db import SessionDep
from api.core.schemas import Page
from api.notifications import service
from api.notifications.models import NotificationState
from api.notifications.schemas import NotificationOut

router = APIRouter(prefix="/notifications", tags=["courriels"])


@router.get("", response_model=Page[NotificationOut], summary="Suivre l'envoi des courriels")
def list_notifications(
    session: SessionDep,
    _admin: AdminDep,
    state: NotificationState | None = None,
    policyholder_id: Annotated[int | None, Query(gt=0, lt=2**31)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Page[NotificationOut]:
    """The outbox, newest first: queued, sending, sent, failed (with the reason) or cancelled."""
    notifications, total = service.list_notifications(
        session=session, state=state, policyholder_id=policyholder_id, limit=limit, offset=offset
    )
    items = [NotificationOut.model_validate(n) for n in notifications]
    return Page(items=items, total=total, limit=limit, offset=offset)
