"""The rows of a volume: login-less policyholders, providers in realistic proportions, and
claims whose amounts follow the catalogue. Deterministic for a given random generator."""

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple

from api.claims.catalogue import ACTS, Act, ProviderKind, acts_for
from api.core.clock import months_before
from api.core.text import fold
from api.demo.seed import THIRD_PARTY_KINDS

# No real NIR starts with 9 (its first digit is the sex), and the demo and the tests use
# 1 and 2: volume rows can always be told apart, and never collide.
NIR_PREFIX = "99"
IDENTIFIER_PREFIX = "99"
CLAIMS_PER_HOLDER = 30
PROVIDER_COUNT = 2_000
HISTORY_MONTHS = 27  # as Settings.claim_history_months
CENTS = Decimal("0.01")
# Real invoices vary a little around the catalogue price (as in seed._claim).
PRICE_FACTORS = (Decimal("1"), Decimal("1"), Decimal("1"), Decimal("1.1"), Decimal("1.25"))
MULTI_QUANTITY_ACTS = frozenset({"AMI", "B"})

Row = dict[str, Any]

# fmt: off
FIRST_NAMES = (
    "Camille", "Julien", "Fatima", "Sophie", "Karim", "Hélène", "Nicolas", "Élodie", "Thomas",
    "Nadia", "Léa", "Hugo", "Chloé", "Louis", "Manon", "Lucas", "Inès", "Gabriel", "Sarah",
    "Arthur", "Emma", "Jules", "Zoé", "Raphaël", "Lina", "Mathis", "Anaïs", "Théo", "Clara",
    "Maxime", "Juliette", "Antoine", "Margaux", "Baptiste", "Pauline", "Yanis", "Océane", "Quentin",
    "Amandine", "Mehdi", "Céline", "Romain", "Aurélie", "Vincent", "Laëtitia", "François", "Agnès",
    "Mathieu", "Isabelle", "Pierre", "Sylvie", "Jérôme", "Nathalie", "Benoît", "Valérie",
    "Stéphane", "Sandrine", "Cédric", "Émilie", "Loïc", "Marie-Claire", "Jean-Pierre",
)
LAST_NAMES = (
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
    "Moreau", "Simon", "Laurent", "Lefèbvre", "Michel", "Garcia", "David", "Bertrand", "Roux",
    "Vincent", "Fournier", "Morel", "Girard", "André", "Lefèvre", "Mercier", "Dupont", "Lambert",
    "Bonnet", "François", "Martinez", "Legrand", "Garnier", "Faure", "Rousseau", "Blanc", "Guérin",
    "Muller", "Henry", "Roussel", "Nicolas", "Perrin", "Morin", "Mathieu", "Clément", "Gauthier",
    "Dumont", "Lopez", "Fontaine", "Chevalier", "Robin", "Masson", "Sanchez", "Gérard", "Nguyen",
    "Boyer", "Denis", "Lemaire", "Duval", "Joly", "Gautier", "Roger", "Roche", "Roy", "Noël",
    "Meyer", "Lucas", "Meunier", "Jean", "Pérez", "Marchand", "Dufour", "Blanchard", "Marie",
    "Barbier", "Brun", "Dumas", "Brunet", "Schmitt", "Leroux", "Colin", "Fernandez", "Haddad",
    "Benali", "Chaouch", "Benhamou", "Kaya", "Diallo", "Traoré", "Ferreira", "Lebrun", "Bouvier",
    "Carpentier", "Hoarau", "Caron", "Renaud", "Aubert", "Bailly", "Hervé", "Da Silva", "Le Gall",
    "Le Goff", "Saint-Martin",
)
CITIES = (
    "Lyon", "Villeurbanne", "Vénissieux", "Paris", "Marseille", "Toulouse", "Nice", "Nantes",
    "Montpellier", "Strasbourg", "Bordeaux", "Lille", "Rennes", "Reims", "Saint-Étienne",
    "Le Havre", "Toulon", "Grenoble", "Dijon", "Angers", "Nîmes", "Clermont-Ferrand", "Brest",
    "Limoges", "Tours", "Amiens", "Perpignan", "Metz", "Besançon", "Orléans", "Rouen", "Caen",
)
PLACES = (
    "de la Gare", "du Centre", "des Écoles", "de la Mairie", "du Marché", "de l'Église",
    "des Halles", "du Port", "de la Place", "du Parc", "des Tilleuls", "de la Poste", "Saint-Jean",
    "Pasteur", "Victor Hugo", "Jean Jaurès", "République", "Bellecour", "des Quatre Chemins",
    "du Lac", "Confluence", "Croix-Rousse", "Gambetta", "Voltaire",
)
# fmt: on

# Share of the providers of each kind.
KIND_SHARES: dict[ProviderKind, float] = {
    ProviderKind.GENERAL_PRACTITIONER: 0.25,
    ProviderKind.SPECIALIST: 0.13,
    ProviderKind.DENTIST: 0.09,
    ProviderKind.PHYSIOTHERAPIST: 0.09,
    ProviderKind.NURSE: 0.10,
    ProviderKind.PHARMACY: 0.14,
    ProviderKind.LABORATORY: 0.04,
    ProviderKind.RADIOLOGY: 0.04,
    ProviderKind.OPTICIAN: 0.05,
    ProviderKind.MEDICAL_TRANSPORT: 0.04,
    ProviderKind.HEALTH_CENTRE: 0.03,
}
DOCTOR_KINDS = frozenset(
    {ProviderKind.GENERAL_PRACTITIONER, ProviderKind.SPECIALIST, ProviderKind.DENTIST}
)
PERSON_KINDS = DOCTOR_KINDS | {ProviderKind.PHYSIOTHERAPIST, ProviderKind.NURSE}


class VolumeProvider(NamedTuple):
    """What claim generation needs to know of a provider."""

    id: int
    kind: ProviderKind
    name: str


class Amounts(NamedTuple):
    """The money columns of one claim line."""

    billed: Decimal
    base: Decimal
    reimbursed: Decimal


def _money(value: Decimal) -> Decimal:
    """Round to the cent as the insurer does (half up)."""
    return value.quantize(CENTS, rounding=ROUND_HALF_UP)


def _amounts(act: Act, quantity: int, factor: Decimal) -> Amounts:
    """The amounts of one claim line, consistent with the act (as seed._claim computes them)."""
    billed = _money(act.price * quantity * factor)
    base = _money(act.base * quantity)
    return Amounts(billed, base, _money(min(billed, base * act.rate / 100)))


AMOUNTS: dict[tuple[str, int, Decimal], Amounts] = {
    (act.code, quantity, factor): _amounts(act, quantity, factor)
    for act in ACTS.values()
    for quantity in (1, 2, 3)
    for factor in set(PRICE_FACTORS)
}


# --- People and providers ---------------------------------------------------------------------


def plan_claim_counts(rng: random.Random, claims: int) -> list[int]:
    """Claims per policyholder: 10 to 50 (30 on average), adding up to exactly `claims`."""
    counts: list[int] = []
    remaining = claims
    while remaining > 0:
        count = min(remaining, rng.randint(10, 2 * CLAIMS_PER_HOLDER - 10))
        counts.append(count)
        remaining -= count
    return counts


def policyholder_rows(
    rng: random.Random, count: int, now: datetime, *, prefix: str = NIR_PREFIX
) -> Iterator[Row]:
    """People without a login: they exist so that their claims have an owner."""
    for index in range(count):
        first_name, last_name = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        yield {
            "nir": f"{prefix}{index:011d}",
            "first_name": first_name,
            "last_name": last_name,
            "email": f"{fold(first_name)}.{fold(last_name)}.{index}@example.fr".replace(" ", "-"),
            "notify_payments": rng.random() < 0.8,
            "username": None,
            "password_hash": None,
            "is_demo": False,
            "created_at": now,
        }


def _establishment_name(rng: random.Random, kind: ProviderKind) -> str:
    """« Pharmacie de la Gare », « Centre d'imagerie Pasteur », « Ambulances Roux »…"""
    place, family = rng.choice(PLACES), rng.choice(LAST_NAMES)
    choices: dict[ProviderKind, tuple[str, ...]] = {
        ProviderKind.PHARMACY: (
            f"Pharmacie {place}",
            f"Pharmacie {family}",
            f"Grande Pharmacie {place}",
        ),
        ProviderKind.LABORATORY: (f"Laboratoire Biomed {place}", f"Laboratoire d'analyses {place}"),
        ProviderKind.RADIOLOGY: (f"Centre d'imagerie {place}", f"Cabinet de radiologie {family}"),
        ProviderKind.OPTICIAN: (f"Optique {place}", f"Optique {family}"),
        ProviderKind.MEDICAL_TRANSPORT: (f"Ambulances {family}", f"Taxi Santé {family}"),
        ProviderKind.HEALTH_CENTRE: (f"Centre de santé {place}", f"Centre médical {place}"),
    }
    return rng.choice(choices[kind])


def provider_name(rng: random.Random, kind: ProviderKind) -> str:
    """A name as the payments page shows it: « Dr Prénom Nom », « Prénom Nom », « Pharmacie… »."""
    if kind not in PERSON_KINDS:
        return _establishment_name(rng, kind)
    person = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    return f"Dr {person}" if kind in DOCTOR_KINDS else person


def _provider_kinds(count: int) -> list[ProviderKind]:
    """`count` kinds in the proportions of KIND_SHARES."""
    kinds = [kind for kind, share in KIND_SHARES.items() for _ in range(round(share * count))]
    return kinds[:count]


def provider_rows(
    rng: random.Random, count: int = PROVIDER_COUNT, *, prefix: str = IDENTIFIER_PREFIX
) -> Iterator[Row]:
    """Professionals (RPPS, 11 digits) and establishments (FINESS, 9 digits)."""
    for index, kind in enumerate(_provider_kinds(count)):
        width = 11 if kind in PERSON_KINDS else 9
        name = provider_name(rng, kind)
        yield {
            "identifier": f"{prefix}{index:0{width - len(prefix)}d}",
            "name": name,
            "search_name": fold(name),
            "kind": kind.value,
            "city": rng.choice(CITIES),
        }


# --- Claims -------------------------------------------------------------------------------------


def claim_row(
    *,
    holder_id: int,
    provider: VolumeProvider,
    act: Act,
    quantity: int,
    factor: Decimal,
    care_date: date,
    paid_date: date,
    created_at: datetime,
) -> Row:
    """One claim line, its amounts consistent with the act."""
    amounts = AMOUNTS[act.code, quantity, factor]
    return {
        "policyholder_id": holder_id,
        "provider_id": provider.id,
        "care_date": care_date,
        "act_code": act.code,
        "act_label": act.label,
        "quantity": quantity,
        "amount_billed": amounts.billed,
        "reimbursement_base": amounts.base,
        "reimbursement_rate": act.rate,
        "amount_reimbursed": amounts.reimbursed,
        "paid_date": paid_date,
        "third_party_payment": provider.kind in THIRD_PARTY_KINDS,
        "created_at": created_at,
    }


def _circle(
    rng: random.Random,
    by_kind: dict[ProviderKind, list[VolumeProvider]],
    everyone: list[VolumeProvider],
) -> tuple[VolumeProvider, VolumeProvider, list[VolumeProvider]]:
    """The providers one person sees: a GP, a pharmacy, and a few others."""
    doctor = rng.choice(by_kind[ProviderKind.GENERAL_PRACTITIONER])
    pharmacy = rng.choice(by_kind[ProviderKind.PHARMACY])
    return doctor, pharmacy, rng.sample(everyone, rng.randint(2, 8))


def claim_rows(
    rng: random.Random,
    counts: list[int],
    holder_ids: list[int],
    providers: list[VolumeProvider],
    today: date,
    now: datetime,
) -> Iterator[Row]:
    """Each person's claims, oldest first, between 27 months ago and yesterday."""
    by_kind: dict[ProviderKind, list[VolumeProvider]] = {}
    for provider in providers:
        by_kind.setdefault(provider.kind, []).append(provider)
    acts = {kind: acts_for(kind) for kind in ProviderKind}
    span = (today - months_before(today, HISTORY_MONTHS)).days
    days = [today - timedelta(days=offset) for offset in range(span, 0, -1)]
    recorded = {
        day: min(now, datetime(day.year, day.month, day.day, 5, tzinfo=UTC))
        for day in [*days, today]
    }
    for holder_id, count in zip(holder_ids, counts, strict=True):
        doctor, pharmacy, others = _circle(rng, by_kind, providers)
        for day_index in sorted(rng.randrange(len(days)) for _ in range(count)):
            draw = rng.random()
            provider = doctor if draw < 0.25 else pharmacy if draw < 0.55 else rng.choice(others)
            act = rng.choice(acts[provider.kind])
            quantity = rng.randint(1, 3) if act.code in MULTI_QUANTITY_ACTS else 1
            factor = rng.choice(PRICE_FACTORS)
            care_date = days[day_index]
            paid_date = min(today, care_date + timedelta(days=rng.randint(2, 8)))
            yield claim_row(
                holder_id=holder_id,
                provider=provider,
                act=act,
                quantity=quantity,
                factor=factor,
                care_date=care_date,
                paid_date=paid_date,
                created_at=recorded[paid_date],
            )
