"""Providers (professionals and establishments) and the claims they billed."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.claims.catalogue import ProviderKind
from api.core.db import Base, UTCDateTime, str_enum, utcnow

Money = Numeric(10, 2)


class Provider(Base):
    __tablename__ = "provider"

    id: Mapped[int] = mapped_column(primary_key=True)
    # RPPS (11 digits) for a professional, FINESS (9 digits) for an establishment.
    identifier: Mapped[str] = mapped_column(String(11), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # Lower-case, accent-free name, for searches that ignore case and accents on every database.
    search_name: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[ProviderKind] = mapped_column(str_enum(ProviderKind, name="provider_kind"))
    city: Mapped[str] = mapped_column(String(100))


class Claim(Base):
    """One reimbursed line of the account's payments page."""

    __tablename__ = "claim"
    __table_args__ = (Index("ix_claim_policyholder_care_date", "policyholder_id", "care_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    policyholder_id: Mapped[int] = mapped_column(ForeignKey("policyholder.id"))
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), index=True)
    care_date: Mapped[date] = mapped_column(Date)
    act_code: Mapped[str] = mapped_column(String(16))
    act_label: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    amount_billed: Mapped[Decimal] = mapped_column(Money)
    reimbursement_base: Mapped[Decimal] = mapped_column(Money)
    reimbursement_rate: Mapped[int] = mapped_column(Integer)
    amount_reimbursed: Mapped[Decimal] = mapped_column(Money)
    paid_date: Mapped[date] = mapped_column(Date)
    third_party_payment: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    provider: Mapped[Provider] = relationship(lazy="joined", innerjoin=True)
