from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from api.accounts.models import AccountKind, Role, SecurityEventKind, ThrottleScope


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_in: int


class Me(BaseModel):
    id: int
    role: Role
    display_name: str


class ChatToken(BaseModel):
    """For the assistant's channels only (the API refuses it as a credential)."""

    chat_token: str
    expires_in: int


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=1, max_length=1024)


class AccountOut(BaseModel):
    kind: AccountKind
    id: int
    label: str | None = None  # the username, when the account still exists


class LockOut(BaseModel):
    key: str
    scope: ThrottleScope
    account: AccountOut | None
    failures: int
    locked_until: datetime
    retry_after: int


class Unlock(BaseModel):
    """Exactly one of: the lock's key (from the list), a username, an address."""

    model_config = ConfigDict(extra="forbid")

    key: str | None = Field(default=None, max_length=80)
    username: str | None = Field(default=None, min_length=1, max_length=64)
    address: str | None = Field(default=None, min_length=1, max_length=64)


class Unlocked(BaseModel):
    unlocked: bool


class SessionsEnded(BaseModel):
    ended: int


class SecurityEventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    created_at: datetime
    kind: SecurityEventKind
    scope: ThrottleScope | None
    account_kind: AccountKind | None
    account_id: int | None
    username_hash: str | None
    address_hash: str | None
    admin_id: int | None
    failures: int | None
    locked_until: datetime | None
    sessions_ended: int | None
