"""A policyholder's contact preferences: whether an email follows each payment.

Turning the emails off also stops one already planned: the notification worker cancels, when it
takes it, the email of a person who opted out meanwhile (api/notifications/service.py).
"""

from dataclasses import dataclass

from sqlalchemy.orm import Session

from api.accounts.models import Policyholder
from api.core.errors import NotFound

NOT_FOUND = "Ce compte est introuvable."


@dataclass(frozen=True)
class ContactPreferences:
    payment_emails: bool


def _holder(session: Session, policyholder_id: int) -> Policyholder:
    holder = session.get(Policyholder, policyholder_id)
    if holder is None:
        raise NotFound(NOT_FOUND)
    return holder


def contact_preferences(*, session: Session, policyholder_id: int) -> ContactPreferences:
    return ContactPreferences(payment_emails=_holder(session, policyholder_id).notify_payments)


def set_payment_emails(
    *, session: Session, policyholder_id: int, enabled: bool
) -> ContactPreferences:
    """Record whether the policyholder wants an email after each payment."""
    holder = _holder(session, policyholder_id)
    holder.notify_payments = enabled
    session.flush()
    return ContactPreferences(payment_emails=enabled)
