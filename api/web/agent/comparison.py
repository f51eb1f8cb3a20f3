"""The claim on record next to what the policyholder said, with the differences flagged: the
anomaly the person declares is itself a discrepancy, said in words against what was billed."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.claims.catalogue import ProviderKind, kind_label
from api.claims.models import Claim, Provider
from api.claims.service import MIN_PROVIDER_SCORE, provider_similarity
from api.reports.models import Report
from api.reports.workflow import ANOMALY_LABELS, AnomalyType
from api.web.formatting import date_fr, money, plural

NOT_STATED = "—"
NBSP = "\u00a0"
TWINS_SHOWN = 5
# What a person who got nothing from such a provider did not receive.
NOTHING_RECEIVED: dict[ProviderKind, str] = {
    ProviderKind.GENERAL_PRACTITIONER: "aucune consultation",
    ProviderKind.SPECIALIST: "aucune consultation",
    ProviderKind.DENTIST: "aucun soin dentaire",
    ProviderKind.PHYSIOTHERAPIST: "aucune séance de kinésithérapie",
    ProviderKind.NURSE: "aucun soin infirmier",
    ProviderKind.PHARMACY: "aucun médicament ni produit",
    ProviderKind.LABORATORY: "aucune analyse",
    ProviderKind.RADIOLOGY: "aucun examen d'imagerie",
    ProviderKind.OPTICIAN: "aucun équipement d'optique",
    ProviderKind.MEDICAL_TRANSPORT: "aucun transport",
    ProviderKind.HEALTH_CENTRE: "aucun soin",
}


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


def provider_details(provider: Provider) -> str:
    """« médecin généraliste, RPPS 10000000001 »: what kind of provider, and which one."""
    return f"{kind_label(provider.kind)}, {identifier_label(provider.identifier)}"


def provider_label(provider: Provider) -> str:
    """« Dr Paul Roux (médecin généraliste, RPPS 10000000001) »: the provider as registered."""
    return f"{provider.name} ({provider_details(provider)})"


def twin_claims(*, session: Session, claim: Claim) -> list[Claim]:
    """Other lines with the same act, provider and day for the same person (billed twice?)."""
    stmt = (
        select(Claim)
        .where(
            Claim.policyholder_id == claim.policyholder_id,
            Claim.care_date == claim.care_date,
            Claim.provider_id == claim.provider_id,
            Claim.act_code == claim.act_code,
            Claim.id != claim.id,
        )
        .order_by(Claim.id)
        .limit(TWINS_SHOWN)
    )
    return list(session.scalars(stmt))


def _billed(claim: Claim) -> str:
    return f"facturé {money(claim.amount_billed)}"


def _twins_text(twins: list[Claim]) -> str:
    return ", ".join(
        f"n°{NBSP}{t.id} ({money(t.amount_billed)}, payé le {date_fr(t.paid_date)})" for t in twins
    )


def declared_gap(report: Report, claim: Claim | None, twins: list[Claim]) -> str:
    """The discrepancy the person declares, in words, against what was billed and paid."""
    if claim is None:
        return (
            "L'assuré n'a rattaché aucun remboursement à ce signalement"
            f"{NBSP}: rien à comparer, seule sa déclaration est disponible."
        )
    act = claim.act_label
    match report.anomaly_type:
        case AnomalyType.NOT_PERFORMED:
            nothing = NOTHING_RECEIVED[claim.provider.kind]
            return f"{act} {_billed(claim)}, l'assuré déclare n'avoir reçu {nothing}."
        case AnomalyType.BILLED_MORE_THAN_PERFORMED:
            return (
                f"{act} {_billed(claim)}, l'assuré déclare avoir reçu moins{NBSP}: "
                f"«{NBSP}{report.description[:200]}{NBSP}»."
            )
        case AnomalyType.BILLED_TWICE:
            if twins:
                return (
                    f"{act} {_billed(claim)}, facturé aussi ce jour-là{NBSP}: {_twins_text(twins)}."
                )
            return (
                f"{act} {_billed(claim)}, l'assuré déclare une double facturation, mais aucune "
                "autre ligne du même acte, du même professionnel et du même jour n'est enregistrée."
            )
        case AnomalyType.UNKNOWN_PROVIDER:
            return (
                f"{act} {_billed(claim)} par {provider_label(claim.provider)}, l'assuré déclare "
                "ne pas connaître ce professionnel."
            )
        case _:
            return (
                f"{act} {_billed(claim)}, l'assuré signale une autre anomalie"
                " (voir sa description)."
            )


def compare(report: Report, claim: Claim, *, twins: list[Claim]) -> list[ComparedRow]:
    provider = claim.provider
    days_off = abs((claim.care_date - report.care_date).days)
    similarity = provider_similarity(report.provider_name, provider)
    other_name = similarity is not None and similarity < MIN_PROVIDER_SCORE
    unknown = report.anomaly_type == AnomalyType.UNKNOWN_PROVIDER
    quantity = f" × {claim.quantity}" if claim.quantity > 1 else ""
    gap = declared_gap(report, claim, twins)
    act_disputed = report.anomaly_type in (
        AnomalyType.NOT_PERFORMED,
        AnomalyType.BILLED_MORE_THAN_PERFORMED,
        AnomalyType.OTHER,
    )
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
            f"{report.provider_name} (saisi par l'assuré)",
            f"{provider.name} ({kind_label(provider.kind)}, {provider.city})",
            differs=other_name or unknown,
            gap=gap if unknown else ("Nom différent" if other_name else ""),
        ),
        ComparedRow(
            "Identifiant du professionnel", NOT_STATED, identifier_label(provider.identifier)
        ),
        ComparedRow(
            "Acte",
            f"{ANOMALY_LABELS[report.anomaly_type]}{NBSP}: {report.description[:200]}",
            f"{claim.act_label}{quantity}",
            differs=act_disputed,
            gap=gap if act_disputed else "",
        ),
        ComparedRow("Montant facturé", NOT_STATED, money(claim.amount_billed)),
        ComparedRow(
            "Montant remboursé",
            NOT_STATED,
            f"{money(claim.amount_reimbursed)} (base {money(claim.reimbursement_base)}, "
            f"taux {claim.reimbursement_rate}{NBSP}%)",
        ),
        ComparedRow("Date du paiement", NOT_STATED, date_fr(claim.paid_date)),
        ComparedRow("Tiers payant", NOT_STATED, "Oui" if claim.third_party_payment else "Non"),
        _twins_row(report, twins, gap),
    ]


def _twins_row(report: Report, twins: list[Claim], gap: str) -> ComparedRow:
    declared = report.anomaly_type == AnomalyType.BILLED_TWICE
    recorded = (
        f"{plural(len(twins), 'autre ligne')}{NBSP}: {_twins_text(twins)}"
        if twins
        else "Aucune autre ligne"
    )
    if declared:
        return ComparedRow(
            "Même acte, même jour, même professionnel", NOT_STATED, recorded, True, gap
        )
    return ComparedRow(
        "Même acte, même jour, même professionnel",
        NOT_STATED,
        recorded,
        differs=bool(twins),
        gap=f"Facturé plusieurs fois{NBSP}?" if twins else "",
    )
