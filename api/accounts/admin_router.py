"""Sign-in security for administrators: locks, unlocking, sessions, deactivation."""

import math
import time
from typing import Annotated

from fastapi import APIRouter, Query

from api.accounts import admin, audit
from api.accounts.admin import LockView
from api.accounts.auth_sessions import AccountRef, as_datetime
from api.accounts.deps import AdminDep, GuardDep
from api.accounts.models import AccountKind
from api.accounts.schemas import (
    AccountOut,
    LockOut,
    SecurityEventOut,
    SessionsEnded,
    Unlock,
    Unlocked,
)
from api.core.db import SessionDep
from api.core.schemas import DbId, Page

router = APIRouter(prefix="/admin", tags=["sécurité"])


def lock_out(view: LockView, now: float) -> LockOut:
    lock = view.lock
    account = (
        AccountOut(kind=lock.account.kind, id=lock.account.id, label=view.label)
        if lock.account
        else None
    )
    return LockOut(
        key=lock.subject.key,
        scope=lock.subject.scope,
        account=account,
        failures=lock.failures,
        locked_until=as_datetime(lock.locked_until),
        retry_after=max(1, math.ceil(lock.locked_until - now)),
    )


@router.get("/security/locks", response_model=list[LockOut], summary="Connexions verrouillées")
def list_locks(session: SessionDep, _admin: AdminDep, guard: GuardDep) -> list[LockOut]:
    now = guard.clock()
    views = admin.current_locks(session=session, throttle=guard.throttle, now=now)
    return [lock_out(view, now) for view in views]


@router.post("/security/unlock", response_model=Unlocked, summary="Lever un verrou de connexion")
def unlock(data: Unlock, session: SessionDep, admin_user: AdminDep, guard: GuardDep) -> Unlocked:
    done = admin.unlock(
        session=session,
        throttle=guard.throttle,
        secret=guard.secret,
        admin=admin_user,
        named=admin.LockName(data.key, data.username, data.address),
        now=guard.clock(),
    )
    return Unlocked(unlocked=done)


@router.get(
    "/security/events",
    response_model=Page[SecurityEventOut],
    summary="Journal de sécurité",
)
def list_events(
    session: SessionDep,
    _admin: AdminDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Page[SecurityEventOut]:
    events, total = audit.recent(session=session, limit=limit, offset=offset)
    items = [SecurityEventOut.model_validate(e) for e in events]
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.post(
    "/accounts/{kind}/{account_id}/sessions/end",
    response_model=SessionsEnded,
    summary="Fermer toutes les sessions d'un compte",
)
def end_sessions(
    kind: AccountKind, account_id: DbId, session: SessionDep, admin_user: AdminDep
) -> SessionsEnded:
    ended = admin.end_sessions(
        session=session, admin=admin_user, account=AccountRef(kind, account_id), now=time.time()
    )
    return SessionsEnded(ended=ended)


@router.post(
    "/staff/{staff_id}/deactivate",
    response_model=SessionsEnded,
    summary="Désactiver un compte du personnel (ses sessions se ferment)",
)
def deactivate_staff(staff_id: DbId, session: SessionDep, admin_user: AdminDep) -> SessionsEnded:
    ended = admin.deactivate_staff(
        session=session, admin=admin_user, staff_id=staff_id, now=time.time()
    )
    return SessionsEnded(ended=ended)
