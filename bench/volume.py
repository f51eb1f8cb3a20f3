"""Volume data for the benchmark: N claims over 27 months for about N/30 login-less policyholders.

Deterministic for a given seed and run date. A second run reuses the data when the database
already holds at least N volume claims.

    python -m bench.volume --claims 1000000 [--database-url URL] [--seed 42]
"""

import argparse
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import ColumnElement, Connection, Table, delete, func, select, text

from api.claims.catalogue import ProviderKind
from api.core.clock import local_today
from api.core.db import make_engine
from api.core.migrate import upgrade
from api.models import metadata
from bench.toolkit.bulk import write_rows
from bench.volume_rows import (
    IDENTIFIER_PREFIX,
    NIR_PREFIX,
    VolumeProvider,
    claim_rows,
    plan_claim_counts,
    policyholder_rows,
    provider_rows,
)

TIMEZONE = "Europe/Paris"  # as Settings.timezone
CHUNK_ROWS = 50_000

POLICYHOLDER = metadata.tables["policyholder"]
PROVIDER = metadata.tables["provider"]
CLAIM = metadata.tables["claim"]
REPORT = metadata.tables["report"]
REPORT_EVENT = metadata.tables["report_event"]


@dataclass(frozen=True)
class VolumeResult:
    """What a run left in the database, and whether it had to create it."""

    policyholders: int
    providers: int
    claims: int
    created: bool
    seconds: float


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


# --- Making one ---------------------------------------------------------------------------


def _holder_ids(connection: Connection) -> list[int]:
    """Volume policyholders' ids, in the order of their NIR (the order they were planned in)."""
    stmt = select(POLICYHOLDER.c.id).where(_is_volume_holder()).order_by(POLICYHOLDER.c.nir)
    return list(connection.scalars(stmt))


def volume_providers(
    connection: Connection, prefix: str = IDENTIFIER_PREFIX
) -> list[VolumeProvider]:
    """The providers whose identifier starts with `prefix`, in the order they were made."""
    stmt = (
        select(PROVIDER.c.id, PROVIDER.c.kind, PROVIDER.c.name)
        .where(PROVIDER.c.identifier.startswith(prefix))
        .order_by(PROVIDER.c.identifier)
    )
    return [
        VolumeProvider(row.id, ProviderKind(row.kind), row.name) for row in connection.execute(stmt)
    ]


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
    write_rows(connection, POLICYHOLDER, policyholder_rows(rng, len(counts), now), CHUNK_ROWS)
    write_rows(connection, PROVIDER, provider_rows(rng), CHUNK_ROWS)
    holder_ids = _holder_ids(connection)
    rows = claim_rows(rng, counts, holder_ids, volume_providers(connection), today, now)
    write_rows(connection, CLAIM, rows, CHUNK_ROWS)
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
