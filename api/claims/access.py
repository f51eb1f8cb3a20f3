"""Which claims a person may read: the one answer every route, page and use case applies.

A policyholder reads their own claims (the assistant, acting for them, the same); agents and
administrators read every claim; anyone else reads none. A claim outside what someone may read
does not exist for them (not found, never forbidden: its existence is not disclosed).
"""

from sqlalchemy import ColumnElement, false, true

from api.accounts.models import Role
from api.accounts.service import Principal
from api.claims.models import Claim

READ_ALL = (Role.AGENT, Role.ADMIN)


def readable_claims(principal: Principal) -> ColumnElement[bool]:
    """The condition on `Claim` that keeps what `principal` may read."""
    if principal.is_policyholder:
        return owned_claims(principal.id)
    return true() if principal.role in READ_ALL else false()


def owned_claims(policyholder_id: int) -> ColumnElement[bool]:
    """One policyholder's claims (what they may read, and what a use case acting for them uses)."""
    return Claim.policyholder_id == policyholder_id
