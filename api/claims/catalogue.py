"""Reference data: kinds of providers and the acts they bill (NGAP/CCAM style codes).

Prices are realistic 2026 orders of magnitude, used by the demo data and to label claims
recorded with only an act code.
"""

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class ProviderKind(StrEnum):
    GENERAL_PRACTITIONER = "general_practitioner"
    SPECIALIST = "specialist"
    DENTIST = "dentist"
    PHYSIOTHERAPIST = "physiotherapist"
    NURSE = "nurse"
    PHARMACY = "pharmacy"
    LABORATORY = "laboratory"
    RADIOLOGY = "radiology"
    OPTICIAN = "optician"
    MEDICAL_TRANSPORT = "medical_transport"
    HEALTH_CENTRE = "health_centre"


# The words a person uses for each kind; the first is the label shown.
KIND_WORDS: dict[ProviderKind, tuple[str, ...]] = {
    ProviderKind.GENERAL_PRACTITIONER: ("médecin généraliste", "généraliste", "médecin", "docteur"),
    ProviderKind.SPECIALIST: ("médecin spécialiste", "spécialiste", "docteur"),
    ProviderKind.DENTIST: ("dentiste", "chirurgien-dentiste", "cabinet dentaire"),
    ProviderKind.PHYSIOTHERAPIST: ("kinésithérapeute", "kiné", "kine", "masseur"),
    ProviderKind.NURSE: ("infirmier", "infirmière", "infirmiere"),
    ProviderKind.PHARMACY: ("pharmacie", "pharmacien"),
    ProviderKind.LABORATORY: ("laboratoire", "labo", "analyses", "prise de sang"),
    ProviderKind.RADIOLOGY: ("radiologie", "radiologue", "radio", "imagerie"),
    ProviderKind.OPTICIAN: ("opticien", "optique", "lunettes"),
    ProviderKind.MEDICAL_TRANSPORT: ("transport sanitaire", "ambulance", "taxi", "vsl"),
    ProviderKind.HEALTH_CENTRE: ("centre de santé", "centre médical"),
}


def kind_label(kind: ProviderKind) -> str:
    return KIND_WORDS[kind][0]


@dataclass(frozen=True)
class Act:
    code: str
    label: str
    kinds: tuple[ProviderKind, ...]
    price: Decimal
    base: Decimal
    rate: int  # reimbursement rate, in percent of the base


def _act(
    code: str, label: str, kinds: tuple[ProviderKind, ...], price: str, base: str, rate: int
) -> Act:
    return Act(code, label, kinds, Decimal(price), Decimal(base), rate)


GP = ProviderKind.GENERAL_PRACTITIONER
ACTS: dict[str, Act] = {
    act.code: act
    for act in (
        _act(
            "G",
            "Consultation du médecin généraliste (G)",
            (GP, ProviderKind.HEALTH_CENTRE),
            "30.00",
            "30.00",
            70,
        ),
        _act("VG", "Visite à domicile du médecin généraliste (VG)", (GP,), "40.00", "40.00", 70),
        _act(
            "CS",
            "Consultation du médecin spécialiste (CS)",
            (ProviderKind.SPECIALIST,),
            "50.00",
            "30.00",
            70,
        ),
        _act(
            "APC",
            "Avis ponctuel de consultant (APC)",
            (ProviderKind.SPECIALIST,),
            "60.00",
            "60.00",
            70,
        ),
        _act(
            "HBJD001",
            "Détartrage et polissage des dents (HBJD001)",
            (ProviderKind.DENTIST, ProviderKind.HEALTH_CENTRE),
            "43.38",
            "43.38",
            60,
        ),
        _act(
            "HBMD038",
            "Restauration d'une dent sur une face (HBMD038)",
            (ProviderKind.DENTIST,),
            "26.97",
            "26.97",
            60,
        ),
        _act(
            "HBGD036",
            "Avulsion d'une dent permanente sur arcade (HBGD036)",
            (ProviderKind.DENTIST,),
            "33.44",
            "33.44",
            60,
        ),
        _act(
            "HBLD036",
            "Pose d'une couronne dentaire céramométallique (HBLD036)",
            (ProviderKind.DENTIST,),
            "550.00",
            "120.00",
            60,
        ),
        _act(
            "HBLD634",
            "Pose d'une prothèse dentaire amovible (HBLD634)",
            (ProviderKind.DENTIST,),
            "900.00",
            "182.75",
            60,
        ),
        _act(
            "AMK",
            "Séance de rééducation en masso-kinésithérapie (AMK)",
            (ProviderKind.PHYSIOTHERAPIST,),
            "18.20",
            "18.20",
            60,
        ),
        _act("AMI", "Soin infirmier (AMI)", (ProviderKind.NURSE,), "3.65", "3.65", 60),
        _act(
            "AMI15", "Prise de sang à domicile (AMI 1,5)", (ProviderKind.NURSE,), "5.48", "5.48", 60
        ),
        _act(
            "IFD",
            "Indemnité forfaitaire de déplacement infirmier (IFD)",
            (ProviderKind.NURSE,),
            "2.75",
            "2.75",
            60,
        ),
        _act(
            "PH7",
            "Médicaments remboursables à 65 % (PH7)",
            (ProviderKind.PHARMACY,),
            "18.40",
            "18.40",
            65,
        ),
        _act(
            "PH4",
            "Médicaments remboursables à 30 % (PH4)",
            (ProviderKind.PHARMACY,),
            "9.80",
            "9.80",
            30,
        ),
        _act(
            "HD",
            "Honoraire de dispensation en pharmacie (HD)",
            (ProviderKind.PHARMACY,),
            "1.02",
            "1.02",
            65,
        ),
        _act(
            "B",
            "Analyses de biologie médicale (B)",
            (ProviderKind.LABORATORY,),
            "24.30",
            "24.30",
            60,
        ),
        _act(
            "ZBQK002",
            "Radiographie du thorax (ZBQK002)",
            (ProviderKind.RADIOLOGY,),
            "21.28",
            "21.28",
            70,
        ),
        _act(
            "ZCQM006",
            "Échographie de l'abdomen (ZCQM006)",
            (ProviderKind.RADIOLOGY,),
            "56.70",
            "56.70",
            70,
        ),
        _act(
            "LPP2203240",
            "Monture de lunettes (LPP 2203240)",
            (ProviderKind.OPTICIAN,),
            "120.00",
            "0.05",
            60,
        ),
        _act(
            "LPP2259966",
            "Verres correcteurs unifocaux (LPP 2259966)",
            (ProviderKind.OPTICIAN,),
            "180.00",
            "0.10",
            60,
        ),
        _act(
            "AMB",
            "Transport en ambulance (AMB)",
            (ProviderKind.MEDICAL_TRANSPORT,),
            "95.00",
            "95.00",
            65,
        ),
        _act(
            "TAX",
            "Transport en taxi conventionné (TAX)",
            (ProviderKind.MEDICAL_TRANSPORT,),
            "42.00",
            "42.00",
            65,
        ),
    )
}


def acts_for(kind: ProviderKind) -> list[Act]:
    return [act for act in ACTS.values() if kind in act.kinds]
