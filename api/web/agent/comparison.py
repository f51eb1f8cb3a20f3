"""The claim on record next to what the policyholder said, with the differences flagged."""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.claims.catalogue import kind_label
from api.claims.models import Claim
from api.claims.service import MIN_PROVIDER_SCORE, provider_similarity
from api.reports.models import Report
from api.reports.workflow import ANOMALY_LABELS
from api.web.formatting import date_fr, money, plural

NOT_STATED = "—"


@dataclass(frozen=True)
class ComparedRow:
    label: str
    stated: str
    recorded: str
    differs: bool = False
    gap: str = ""


def identifier_label(identifier: str) -> str:
    """RPPS (11 digits) names a professional, FINESS (9 digits) an establishment."""
    return f"RPPS {identifier}" if len(identifier) == 11 else f"FINESS {identifier}"


def twin_claims(*, session: Session, claim: Claim) -> int:
    """Other lines with the same act, provider and day for the same person (billed twice?)."""
    stmt = select(func.count()).where(
        Claim.policyholder_id == claim.policyholder_id,
        Claim.care_date == claim.care_date,
        Claim.provider_id == claim.provider_id,
        Claim.act_code == claim.act_code,
        Claim.id != claim.id,
    )
    return session.scalar(stmt.select_from(Claim)) or 0


def compare(report: Report, claim: Claim, *, twins: int) -> list[ComparedRow]:
    provider = claim.provider
    days_off = abs((claim.care_date - report.care_date).days)
    similarity = provider_similarity(report.provider_name, provider)
    other_name = similarity is not None and similarity < MIN_PROVIDER_SCORE
    quantity = f" × {claim.quantity}" if claim.quantity > 1 else ""
    return [
        ComparedRow(
            "Date des soins",
            date_fr(report.care_date),
            date_fr(claim.care_date),
            differs=days_off > 0,
            gap=f"{plural(days_off, 'jour')} d'écart" if days_off else "",
        ),
        ComparedRow(
            "Professionnel de santé",
            report.provider_name,
            f"{provider.name} ({kind_label(provider.kind)}, {provider.city})",
            differs=other_name,
            gap="Nom différent" if other_name else "",
        ),
        ComparedRow(
            "Identifiant du professionnel", NOT_STATED, identifier_label(provider.identifier)
        ),
        ComparedRow("Acte", ANOMALY_LABELS[report.anomaly_type], f"{claim.act_label}{quantity}"),
        ComparedRow("Montant facturé", NOT_STATED, money(claim.amount_billed)),
        ComparedRow(
            "Montant remboursé",
            NOT_STATED,
            f"{money(claim.amount_reimbursed)} (base {money(claim.reimbursement_base)}, "
            f"taux {claim.reimbursement_rate} %)",
        ),
        ComparedRow("Date du paiement", NOT_STATED, date_fr(claim.paid_date)),
        ComparedRow("Tiers payant", NOT_STATED, "Oui" if claim.third_party_payment else "Non"),
        ComparedRow(
            "Même acte, même jour, même professionnel",
            NOT_STATED,
            plural(twins, "autre ligne") if twins else "Aucune autre ligne",
            differs=twins > 0,
            gap="Facturé plusieurs fois ?" if twins else "",
        ),
    ]
