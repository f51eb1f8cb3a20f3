from datetime import date

from pydantic import BaseModel, ConfigDict, Field, model_validator

from api.claims.catalogue import ProviderKind, kind_label
from api.claims.models import Claim, Provider
from api.core.schemas import Amount, AmountIn


class ProviderOut(BaseModel):
    id: int
    name: str
    kind: ProviderKind
    kind_label: str
    identifier: str
    city: str


class ActOut(BaseModel):
    code: str
    label: str


class ClaimReportOut(BaseModel):
    """The open report on a claim: filing another one would be refused until it is closed."""

    reference: str
    filed_on: date


class ClaimOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    policyholder_id: int
    care_date: date
    provider: ProviderOut
    act: ActOut
    quantity: int
    amount_billed: Amount
    reimbursement_base: Amount
    reimbursement_rate: int
    amount_reimbursed: Amount
    paid_date: date
    third_party_payment: bool
    report: ClaimReportOut | None = Field(
        default=None,
        description="Le signalement encore ouvert de l'appelant sur ce remboursement, s'il existe",
    )


class ClaimCandidate(BaseModel):
    claim: ClaimOut
    score: int = Field(description="0 à 100 : plus c'est haut, plus la ligne correspond")
    provider_score: int | None
    days_off: int


class ClaimMatches(BaseModel):
    candidates: list[ClaimCandidate]


class ClaimCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    policyholder_id: int = Field(gt=0, lt=2**31)
    provider_id: int = Field(gt=0, lt=2**31)
    act_code: str = Field(min_length=1, max_length=16)
    care_date: date
    quantity: int = Field(default=1, ge=1, le=100)
    amount_billed: AmountIn
    amount_reimbursed: AmountIn
    paid_date: date | None = None
    third_party_payment: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> "ClaimCreate":
        if self.amount_reimbursed > self.amount_billed:
            raise ValueError("Le montant remboursé ne peut pas dépasser le montant facturé.")
        if self.paid_date is not None and self.paid_date < self.care_date:
            raise ValueError("La date de paiement ne peut pas précéder la date des soins.")
        return self


def provider_out(provider: Provider) -> ProviderOut:
    return ProviderOut(
        id=provider.id,
        name=provider.name,
        kind=provider.kind,
        kind_label=kind_label(provider.kind),
        identifier=provider.identifier,
        city=provider.city,
    )


def claim_out(claim: Claim, report: ClaimReportOut | None = None) -> ClaimOut:
    return ClaimOut(
        id=claim.id,
        policyholder_id=claim.policyholder_id,
        care_date=claim.care_date,
        provider=provider_out(claim.provider),
        act=ActOut(code=claim.act_code, label=claim.act_label),
        quantity=claim.quantity,
        amount_billed=claim.amount_billed,
        reimbursement_base=claim.reimbursement_base,
        reimbursement_rate=claim.reimbursement_rate,
        amount_reimbursed=claim.amount_reimbursed,
        paid_date=claim.paid_date,
        third_party_payment=claim.third_party_payment,
        report=report,
    )
