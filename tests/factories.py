"""Small factories for test data, and tokens signed as the API signs them."""

import time
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from itertools import count
from typing import TypeVar

from sqlalchemy.orm import Session

from api.accounts import auth_sessions
from api.accounts.auth_sessions import AccountRef
from api.accounts.models import (
    AccountKind,
    Policyholder,
    Role,
    SessionOrigin,
    StaffRole,
    StaffUser,
)
from api.claims.catalogue import ACTS, ProviderKind
from api.claims.models import Claim, Provider
from api.core.config import Settings
from api.core.security import encode_token, hash_password
from api.core.text import fold
from contract import tokens as contract

PASSWORD = "correct horse battery staple"
_numbers = count(1)
T = TypeVar("T")


@lru_cache
def password_hash() -> str:
    return hash_password(PASSWORD)


class Factory:
    def __init__(self, session: Session, settings: Settings) -> None:
        self.session = session
        self.settings = settings

    def _save(self, obj: T) -> T:
        self.session.add(obj)
        self.session.commit()
        return obj

    def policyholder(self, username: str | None = None, **fields: object) -> Policyholder:
        n = next(_numbers)
        values: dict[str, object] = {
            "nir": f"1{n:012d}",
            "first_name": "Claire",
            "last_name": f"Durand{n}",
            "email": f"claire{n}@example.fr",
            "username": username or f"assure-test-{n}",
            "password_hash": password_hash(),
        }
        values.update(fields)
        return self._save(Policyholder(**values))

    def staff(self, role: StaffRole, username: str | None = None, **fields: object) -> StaffUser:
        n = next(_numbers)
        values: dict[str, object] = {
            "username": username or f"{role.value}-{n}",
            "full_name": f"Agent {n}",
            "role": role,
            "password_hash": password_hash(),
        }
        values.update(fields)
        return self._save(StaffUser(**values))

    def provider(
        self,
        name: str = "Dr Sophie Martin",
        kind: ProviderKind = ProviderKind.GENERAL_PRACTITIONER,
        city: str = "Lyon",
    ) -> Provider:
        n = next(_numbers)
        return self._save(
            Provider(
                identifier=f"1{n:010d}", name=name, search_name=fold(name), kind=kind, city=city
            )
        )

    def claim(
        self,
        holder: Policyholder,
        provider: Provider,
        care_date: date,
        act_code: str = "G",
        **fields: object,
    ) -> Claim:
        act = ACTS[act_code]
        values: dict[str, object] = {
            "policyholder_id": holder.id,
            "provider_id": provider.id,
            "care_date": care_date,
            "act_code": act.code,
            "act_label": act.label,
            "quantity": 1,
            "amount_billed": act.price,
            "reimbursement_base": act.base,
            "reimbursement_rate": act.rate,
            "amount_reimbursed": (act.base * act.rate / 100).quantize(Decimal("0.01")),
            "paid_date": care_date + timedelta(days=3),
            "third_party_payment": False,
        }
        values.update(fields)
        return self._save(Claim(**values))

    @staticmethod
    def account_ref(account: Policyholder | StaffUser) -> AccountRef:
        kind = AccountKind.POLICYHOLDER if isinstance(account, Policyholder) else AccountKind.STAFF
        return AccountRef(kind, account.id)

    def sign_in_session(
        self,
        account: Policyholder | StaffUser,
        *,
        seconds: int = 3600,
        origin: SessionOrigin = SessionOrigin.API,
    ) -> str:
        """An open server-side session of the account, as signing in opens one (its raw id)."""
        opened = auth_sessions.open_session(
            session=self.session,
            account=self.account_ref(account),
            origin=origin,
            now=time.time(),
            seconds=seconds,
        )
        self.session.commit()
        return opened.id

    def token(
        self,
        account: Policyholder | StaffUser,
        *,
        minutes: int | None = None,
        role: str | None = None,
        secret: str | None = None,
        session_id: str | None = None,
    ) -> str:
        """An access token as POST /auth/token gives, in a session of its own unless given."""
        default_role = Role.POLICYHOLDER if isinstance(account, Policyholder) else account.role
        minutes = self.settings.access_token_minutes if minutes is None else minutes
        sid = session_id or self.sign_in_session(account, seconds=max(minutes * 60, 60))
        return encode_token(
            token_type=contract.ACCESS,
            subject=account.id,
            role=role or default_role,
            session_id=sid,
            key=secret or self.settings.signing_key,
            seconds=minutes * 60,
        )

    def assistant_token(
        self,
        holder: Policyholder,
        *,
        session_id: str | None = None,
        seconds: int = contract.ASSISTANT_TOKEN_SECONDS,
        key: str | None = None,
        sid: str | None = None,
    ) -> str:
        """What the action server mints for one call on behalf of a conversation's policyholder:
        `sid` is the conversation id of the session (`session_id`, a new one unless given)."""
        raw = session_id or self.sign_in_session(holder, origin=SessionOrigin.WEB)
        return encode_token(
            token_type=contract.ASSISTANT,
            subject=holder.id,
            role=contract.POLICYHOLDER_ROLE,
            session_id=sid or auth_sessions.conversation_id(raw),
            key=key or self.settings.service_key,
            seconds=seconds,
        )

    def auth(self, account: Policyholder | StaffUser) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(account)}"}

    def assistant_auth(
        self, holder: Policyholder, *, session_id: str | None = None
    ) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.assistant_token(holder, session_id=session_id)}"}
