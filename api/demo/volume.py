"""Volume data for the benchmark: N claims over 27 months for about N/30 login-less policyholders.

Deterministic for a given seed and run date. A second run reuses the data when the database
already holds at least N volume claims.

    python -m api.demo.volume --claims 1000000 [--database-url URL] [--seed 42]
"""

import argparse
import random
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import psycopg
from sqlalchemy import ColumnElement, Connection, Table, delete, func, insert, select, text

from api.claims.catalogue import ACTS, Act, ProviderKind, acts_for
from api.core.clock import local_today, months_before
from api.core.db import make_engine
from api.core.migrate import upgrade
from api.core.text import fold
from api.demo.seed import THIRD_PARTY_KINDS
from api.models import metadata

# No real NIR starts with 9 (its first digit is the sex), and the demo and the tests use
# 1 and 2: volume rows can always be told apart, and never collide.
NIR_PREFIX = "99"
IDENTIFIER_PREFIX = "99"
CLAIMS_PER_HOLDER = 30
PROVIDER_COUNT = 2_000
HISTORY_MONTHS = 27  # as Settings.claim_history_months
TIMEZONE = "Europe/Paris"  # as Settings.timezone
CHUNK_ROWS = 50_000
CENTS = Decimal("0.01")
# Real invoices vary a little around the catalogue price (as in seed._claim).
PRICE_FACTORS = (Decimal("1"), Decimal("1"), Decimal("1"), Decimal("1.1"), Decimal("1.25"))
MULTI_QUANTITY_ACTS = frozenset({"AMI", "B"})

POLICYHOLDER = metadata.tables["policyholder"]
PROVIDER = metadata.tables["provider"]
CLAIM = metadata.tables["claim"]
REPORT = metadata.tables["report"]
REPORT_EVENT = metadata.tables["report_event"]

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


@dataclass(frozen=True)
class VolumeResult:
    """What a run left in the database, and whether it had to create it."""

    policyholders: int
    providers: int
    claims: int
    created: bool
    seconds: float


@dataclass(frozen=True)
class VolumeProvider:
    """What claim generation needs to know of a provider."""

    id: int
    kind: ProviderKind


@dataclass(frozen=True)
class Amounts:
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


def french_number(value: int) -> str:
    """1000000 → « 1 000 000 », as the messages are French."""
    return f"{value:,}".replace(",", " ")


# --- What already exists ------------------------------------------------------------------


def _is_volume_holder() -> ColumnElement[bool]:
    """The condition that picks the volume policyholders (and only them)."""
    return POLICYHOLDER.c.nir.startswith(NIR_PREFIX, autoescape=True)


def count_volume_claims(connection: Connection) -> int:
    """How many claims of volume policyholders the database holds (to reuse them)."""
    stmt = (
        select(func.count())
        .select_from(CLAIM.join(POLICYHOLDER, CLAIM.c.policyholder_id == POLICYHOLDER.c.id))
        .where(_is_volume_holder())
    )
    return connection.scalar(stmt) or 0


def _count(connection: Connection, table: Table, condition: ColumnElement[bool]) -> int:
    """Rows of a table meeting a condition, for the summary."""
    return connection.scalar(select(func.count()).select_from(table).where(condition)) or 0


def _owned_by_policyholders() -> list[Table]:
    """Tables whose rows belong to a policyholder (claims, reports…), dependent tables first."""
    return [
        table
        for table in reversed(metadata.sorted_tables)
        if "policyholder_id" in table.c and table is not POLICYHOLDER
    ]


def remove_volume(connection: Connection) -> None:
    """Delete an earlier, smaller volume (and the bench's reports on it) before making a new one."""
    holders = select(POLICYHOLDER.c.id).where(_is_volume_holder())
    reports = select(REPORT.c.id).where(REPORT.c.policyholder_id.in_(holders))
    connection.execute(delete(REPORT_EVENT).where(REPORT_EVENT.c.report_id.in_(reports)))
    for table in _owned_by_policyholders():
        connection.execute(delete(table).where(table.c.policyholder_id.in_(holders)))
    connection.execute(delete(POLICYHOLDER).where(_is_volume_holder()))
    connection.execute(delete(PROVIDER).where(PROVIDER.c.identifier.startswith(IDENTIFIER_PREFIX)))


# --- Writing rows fast --------------------------------------------------------------------


def _chunks(rows: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    """Batches of rows, so that memory stays flat whatever the volume."""
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _copy_rows(
    connection: Connection, table: Table, columns: Sequence[str], rows: Iterable[dict[str, Any]]
) -> None:
    """PostgreSQL: COPY is several times faster than any INSERT."""
    raw = connection.connection.dbapi_connection
    assert isinstance(raw, psycopg.Connection)
    statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([row[column] for column in columns])


def write_rows(connection: Connection, table: Table, rows: Iterable[dict[str, Any]]) -> None:
    """Bulk-insert rows: COPY on PostgreSQL, chunked executemany elsewhere."""
    if connection.dialect.name == "postgresql":
        columns = [column.name for column in table.columns if column.name != "id"]
        _copy_rows(connection, table, columns, rows)
        return
    for chunk in _chunks(rows, CHUNK_ROWS):
        connection.execute(insert(table), chunk)


# --- The data ------------------------------------------------------------------------------


def plan_claim_counts(rng: random.Random, claims: int) -> list[int]:
    """Claims per policyholder: 10 to 50 (30 on average), adding up to exactly `claims`."""
    counts: list[int] = []
    remaining = claims
    while remaining > 0:
        count = min(remaining, rng.randint(10, 2 * CLAIMS_PER_HOLDER - 10))
        counts.append(count)
        remaining -= count
    return counts


def policyholder_rows(rng: random.Random, count: int, now: datetime) -> Iterator[dict[str, Any]]:
    """People without a login: they exist so that their claims have an owner."""
    for index in range(count):
        first_name, last_name = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        yield {
            "nir": f"{NIR_PREFIX}{index:011d}",
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


def _provider_kinds() -> list[ProviderKind]:
    """PROVIDER_COUNT kinds in the proportions of KIND_SHARES."""
    kinds = [
        kind for kind, share in KIND_SHARES.items() for _ in range(round(share * PROVIDER_COUNT))
    ]
    return kinds[:PROVIDER_COUNT]


def provider_rows(rng: random.Random) -> Iterator[dict[str, Any]]:
    """About 2,000 professionals (RPPS, 11 digits) and establishments (FINESS, 9 digits)."""
    for index, kind in enumerate(_provider_kinds()):
        width = 11 if kind in PERSON_KINDS else 9
        identifier = f"{IDENTIFIER_PREFIX}{index:0{width - len(IDENTIFIER_PREFIX)}d}"
        name = provider_name(rng, kind)
        yield {
            "identifier": identifier,
            "name": name,
            "search_name": fold(name),
            "kind": kind.value,
            "city": rng.choice(CITIES),
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
) -> Iterator[dict[str, Any]]:
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
            amounts = AMOUNTS[act.code, quantity, rng.choice(PRICE_FACTORS)]
            care_date = days[day_index]
            paid_date = min(today, care_date + timedelta(days=rng.randint(2, 8)))
            yield {
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
                "created_at": recorded[paid_date],
            }


def _holder_ids(connection: Connection) -> list[int]:
    """Volume policyholders' ids, in the order of their NIR (the order they were planned in)."""
    stmt = select(POLICYHOLDER.c.id).where(_is_volume_holder()).order_by(POLICYHOLDER.c.nir)
    return list(connection.scalars(stmt))


def _providers(connection: Connection) -> list[VolumeProvider]:
    """Volume providers as claims need them: id and kind."""
    stmt = (
        select(PROVIDER.c.id, PROVIDER.c.kind)
        .where(PROVIDER.c.identifier.startswith(IDENTIFIER_PREFIX))
        .order_by(PROVIDER.c.identifier)
    )
    return [VolumeProvider(row.id, ProviderKind(row.kind)) for row in connection.execute(stmt)]


def _analyze(connection: Connection) -> None:
    """Give the query planner statistics on the new rows, as a live database would have."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("ANALYZE policyholder, provider, claim"))
    else:
        connection.execute(text("ANALYZE"))


def fill(connection: Connection, *, claims: int, seed: int, today: date) -> None:
    """Insert the policyholders, providers and claims of one volume."""
    rng = random.Random(seed)  # benchmark data, not security
    now = datetime.now(UTC)
    counts = plan_claim_counts(rng, claims)
    write_rows(connection, POLICYHOLDER, policyholder_rows(rng, len(counts), now))
    write_rows(connection, PROVIDER, provider_rows(rng))
    holder_ids = _holder_ids(connection)
    rows = claim_rows(rng, counts, holder_ids, _providers(connection), today, now)
    write_rows(connection, CLAIM, rows)
    _analyze(connection)


def _tune_sqlite(connection: Connection) -> None:
    """A larger page cache for this connection: index pages stay in memory during the load."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA cache_size=-262144")  # 256 MiB


def ensure_volume(
    database_url: str, *, claims: int, seed: int = 42, today: date | None = None
) -> VolumeResult:
    """Migrate, then create the volume unless at least `claims` volume claims are there."""
    started = time.perf_counter()
    upgrade(database_url)
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            _tune_sqlite(connection)
            created = count_volume_claims(connection) < claims
            if created:
                remove_volume(connection)
                fill(connection, claims=claims, seed=seed, today=today or local_today(TIMEZONE))
            result = VolumeResult(
                policyholders=_count(connection, POLICYHOLDER, _is_volume_holder()),
                providers=_count(
                    connection, PROVIDER, PROVIDER.c.identifier.startswith(IDENTIFIER_PREFIX)
                ),
                claims=count_volume_claims(connection),
                created=created,
                seconds=time.perf_counter() - started,
            )
    finally:
        engine.dispose()
    return result


def describe(result: VolumeResult) -> str:
    """The one-line French summary printed after a run."""
    claims = french_number(result.claims)
    if not result.created:
        return f"{claims} remboursements déjà présents : données réutilisées."
    return (
        f"{claims} remboursements créés en {result.seconds:.0f} s "
        f"({french_number(result.policyholders)} assurés, "
        f"{french_number(result.providers)} professionnels de santé)."
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: migrate and fill the database named by --database-url or the settings."""
    parser = argparse.ArgumentParser(description="Données de volume pour le banc d'essai.")
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--database-url", help="par défaut : DATABASE_URL des réglages")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    if args.claims < 1:
        parser.error("--claims doit être positif")
    if args.database_url:
        database_url: str = args.database_url
    else:
        from api.core.config import get_settings

        database_url = get_settings().database_url
    print(describe(ensure_volume(database_url, claims=args.claims, seed=args.seed)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
