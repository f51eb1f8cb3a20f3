"""Who uses the service: policyholders (assurés) and staff (agents, trainers, admins)."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, String
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
