"""Sign-in security for administrators, in the console: current locks, unlocking, ending an
account's sessions, and the recent security events (admins only; every form is a CSRF POST)."""

import time
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import RedirectResponse, Response

from api.accounts import admin, audit, staff
from api.accounts.auth_sessions import as_datetime
from api.accounts.deps import GuardDep
from api.accounts.models import AccountKind, Role, SecurityEventKind, ThrottleScope
from api.accounts.service import Principal, find_account
from api.core.db import SessionDep
from api.core.errors import DomainError
from api.web import sessions
from api.web.agent.ui import PREFIX, page
from api.web.deps import CsrfDep, require_page_roles

SECURITY = f"{PREFIX}/securite"
RECENT_EVENTS = 50

require_admin = require_page_roles(Role.ADMIN)
AdminPageDep = Annotated[Principal, Depends(require_admin)]

router = APIRouter(prefix=SECURITY, dependencies=[Depends(require_admin)])

EVENT_LABELS = {
    SecurityEventKind.SIGNIN_LOCKED: "Connexion verrouillée",
    SecurityEventKind.SIGNIN_UNLOCKED: "Verrou levé",
    SecurityEventKind.SESSIONS_ENDED: "Sessions fermées",
    SecurityEventKind.PASSWORD_CHANGED: "Mot de passe changé",
    SecurityEventKind.STAFF_DEACTIVATED: "Compte désactivé",
}
SCOPE_LABELS = {ThrottleScope.ACCOUNT: "Identifiant", ThrottleScope.ADDRESS: "Adresse"}
KIND_LABELS = {AccountKind.POLICYHOLDER: "Assuré", AccountKind.STAFF: "Personnel"}


def _back(request: Request, message: str, level: sessions.Level = "success") -> Response:
    sessions.flash(request, message, level)
    return RedirectResponse(SECURITY, status_code=303)


@router.get("")
def security_page(request: Request, session: SessionDep, guard: GuardDep) -> Response:
    now = guard.clock()
    locks = admin.current_locks(session=session, throttle=guard.throttle, now=now)
    events, total = audit.recent(session=session, limit=RECENT_EVENTS)
    context = {
        "active": "security",
        "locks": [
            {
                "key": view.lock.subject.key,
                "scope": view.lock.subject.scope,
                "account": view.lock.account,
                "label": view.label,
                "failures": view.lock.failures,
                "until": as_datetime(view.lock.locked_until),
            }
            for view in locks
        ],
        "events": events,
        "events_total": total,
        "admins": staff.names(session=session, ids=[e.admin_id for e in events]),
        "event_labels": EVENT_LABELS,
        "scope_labels": SCOPE_LABELS,
        "kind_labels": KIND_LABELS,
    }
    return page(request, "agent/security.html", context)


@router.post("/deverrouiller", dependencies=[CsrfDep])
def unlock(
    request: Request,
    session: SessionDep,
    guard: GuardDep,
    admin_user: AdminPageDep,
    key: Annotated[str, Form(max_length=80)] = "",
    username: Annotated[str, Form(max_length=64)] = "",
    address: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    named = admin.LockName(key.strip() or None, username.strip() or None, address.strip() or None)
    try:
        done = admin.unlock(
            session=session,
            throttle=guard.throttle,
            secret=guard.secret,
            admin=admin_user,
            named=named,
            now=guard.clock(),
        )
    except DomainError as exc:
        return _back(request, exc.message, "error")
    if not done:
        return _back(
            request, "Aucun verrou en cours pour cette demande\u00a0: rien à lever.", "info"
        )
    return _back(request, "Verrou levé\u00a0: la connexion est de nouveau possible.")


@router.post("/sessions", dependencies=[CsrfDep])
def end_sessions(
    request: Request,
    session: SessionDep,
    admin_user: AdminPageDep,
    username: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    found = find_account(session=session, username=username.strip(), demo=True)
    if not username.strip() or found is None:
        return _back(request, "Aucun compte ne porte cet identifiant.", "error")
    ended = admin.end_sessions(
        session=session, admin=admin_user, account=found.account, now=time.time()
    )
    return _back(request, f"Sessions fermées pour ce compte\u00a0: {ended}.")
