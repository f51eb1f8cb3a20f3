"""What the API bench's requests are made of: real volume claims and their owners' tokens."""

import random
import time
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from api.accounts import auth_sessions
from api.accounts.auth_sessions import AccountRef
from api.accounts.models import AccountKind, SessionOrigin
from api.claims.catalogue import ProviderKind
from api.core.config import Settings
from api.core.db import make_engine
from api.core.security import encode_token
from bench import volume, volume_rows
from contract import tokens as contract


@dataclass(frozen=True)
class SampledClaim:
    """A real volume claim, with what a person would remember of it."""

    claim_id: int
    holder_id: int
    care_date: date
    provider_name: str
    provider_kind: ProviderKind


def sample_claims(
    engine: Engine, rng: random.Random, holders: int
) -> dict[int, list[SampledClaim]]:
    """All the claims of `holders` volume policyholders picked at random, by policyholder."""
    holder_table, claim_table = volume.POLICYHOLDER, volume.CLAIM
    provider_table = volume.PROVIDER
    with engine.connect() as connection:
        ids = list(
            connection.scalars(
                select(holder_table.c.id)
                .where(holder_table.c.nir.startswith(volume_rows.NIR_PREFIX))
                .order_by(holder_table.c.id)
            )
        )
        chosen = rng.sample(ids, min(holders, len(ids)))
        stmt = (
            select(
                claim_table.c.id,
                claim_table.c.policyholder_id,
                claim_table.c.care_date,
                provider_table.c.name,
                provider_table.c.kind,
            )
            .join(provider_table, provider_table.c.id == claim_table.c.provider_id)
            .where(claim_table.c.policyholder_id.in_(chosen))
            .order_by(claim_table.c.id)
        )
        by_holder: dict[int, list[SampledClaim]] = {holder: [] for holder in chosen}
        for row in connection.execute(stmt):
            by_holder[row.policyholder_id].append(
                SampledClaim(
                    row.id, row.policyholder_id, row.care_date, row.name, ProviderKind(row.kind)
                )
            )
    return {holder: claims for holder, claims in by_holder.items() if claims}


@lru_cache
def _engine(database_url: str) -> Engine:
    return make_engine(database_url)


def bearer(holder_id: int, settings: Settings) -> dict[str, str]:
    """An access token made as POST /auth/token makes them, with its server-side session, for
    a login-less volume policyholder."""
    now, seconds = int(time.time()), settings.access_token_minutes * 60
    with Session(_engine(settings.database_url)) as session, session.begin():
        opened = auth_sessions.open_session(
            session=session,
            account=AccountRef(AccountKind.POLICYHOLDER, holder_id),
            origin=SessionOrigin.API,
            now=now,
            seconds=seconds,
        )
    token = encode_token(
        token_type=contract.ACCESS,
        subject=holder_id,
        role="policyholder",
        session_id=opened.id,
        key=settings.signing_key,
        seconds=seconds,
        now=now,
    )
    return {"Authorization": f"Bearer {token}"}
