"""Who uses the service: policyholders (assurés) and staff (agents, trainers, admins), their
sign-in sessions, the sign-in throttle's counters and the security audit log."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from api.core.db import Base, UTCDateTime, str_enum, utcnow


class Role(StrEnum):
    POLICYHOLDER = "policyholder"
    AGENT = "agent"
    TRAINER = "trainer"
    ADMIN = "admin"


class StaffRole(StrEnum):
    """The roles a staff account can hold (a subset of Role)."""

    AGENT = Role.AGENT.value
    TRAINER = Role.TRAINER.value
    ADMIN = Role.ADMIN.value


class Policyholder(Base):
    __tablename__ = "policyholder"

    id: Mapped[int] = mapped_column(primary_key=True)
    # NIR: the 13-digit social-security number (without its 2-digit key).
    nir: Mapped[str] = mapped_column(String(13), unique=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(254))
    notify_payments: Mapped[bool] = mapped_column(Boolean, default=True)
    username: Mapped[str | None] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class StaffUser(Base):
    __tablename__ = "staff_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[StaffRole] = mapped_column(str_enum(StaffRole, name="staff_role", length=20))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AccountKind(StrEnum):
    """Which table an account lives in (ids are per table)."""

    POLICYHOLDER = "policyholder"
    STAFF = "staff"


class SessionOrigin(StrEnum):
    WEB = "web"  # /connexion: the signed cookie holds the id
    API = "api"  # POST /api/v1/auth/token: the access token's `sid`


class EndReason(StrEnum):
    SIGNED_OUT = "signed_out"
    PASSWORD_CHANGED = "password_changed"  # noqa: S105 - an event name, not a secret
    ADMIN = "admin"
    DEACTIVATED = "deactivated"


class AuthSession(Base):
    """A sign-in, server side: ending it ends every cookie and token that names it.

    `id` is the SHA-256 of the random id the cookie and the access tokens carry, so a copy of
    this table opens nothing. No personal data, no user agent."""

    __tablename__ = "auth_session"
    __table_args__ = (Index("ix_auth_session_account", "account_kind", "account_id"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    # SHA-256 of the conversation id the assistant's tokens carry (auth_sessions.py).
    conversation_key: Mapped[str] = mapped_column(String(64), unique=True)
    account_kind: Mapped[AccountKind] = mapped_column(
        str_enum(AccountKind, name="auth_session_account_kind", length=20)
    )
    account_id: Mapped[int] = mapped_column(Integer)
    origin: Mapped[SessionOrigin] = mapped_column(
        str_enum(SessionOrigin, name="auth_session_origin", length=10)
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    end_reason: Mapped[EndReason | None] = mapped_column(
        str_enum(EndReason, name="auth_session_end_reason", length=20)
    )


class ThrottleScope(StrEnum):
    ACCOUNT = "account"  # the folded username typed, whether or not the account exists
    ADDRESS = "address"  # the client's address


class SigninThrottle(Base):
    """The sign-in throttle's counter for one account or address (database backend).

    `key` is « <scope>:<keyed hash> »: neither the username typed nor the address is stored."""

    __tablename__ = "signin_throttle"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    # The account a username counter names, when it exists (for the admins' list).
    account_kind: Mapped[AccountKind | None] = mapped_column(
        str_enum(AccountKind, name="signin_throttle_account_kind", length=20)
    )
    account_id: Mapped[int | None] = mapped_column(Integer)


class SecurityEventKind(StrEnum):
    SIGNIN_LOCKED = "signin_locked"
    SIGNIN_UNLOCKED = "signin_unlocked"
    SESSIONS_ENDED = "sessions_ended"
    PASSWORD_CHANGED = "password_changed"  # noqa: S105 - an event name, not a secret
    STAFF_DEACTIVATED = "staff_deactivated"


class SecurityEvent(Base):
    """The security audit log: locks, unlocks, sessions ended. Never a password or a token;
    an unknown username and an address only as keyed hashes."""

    __tablename__ = "security_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    kind: Mapped[SecurityEventKind] = mapped_column(
        str_enum(SecurityEventKind, name="security_event_kind", length=30)
    )
    # Which counter a lock or an unlock is about.
    scope: Mapped[ThrottleScope | None] = mapped_column(
        str_enum(ThrottleScope, name="security_event_scope", length=10)
    )
    account_kind: Mapped[AccountKind | None] = mapped_column(
        str_enum(AccountKind, name="security_event_account_kind", length=20)
    )
    account_id: Mapped[int | None] = mapped_column(Integer)
    username_hash: Mapped[str | None] = mapped_column(String(32))
    address_hash: Mapped[str | None] = mapped_column(String(32))
    admin_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    failures: Mapped[int | None] = mapped_column(Integer)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sessions_ended: Mapped[int | None] = mapped_column(Integer)
