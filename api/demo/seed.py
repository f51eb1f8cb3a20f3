"""Demo data: three policyholders with a year of claims, and the staff accounts.

Deterministic: the same run date gives the same data. Demo accounts exist only with DEMO=1.

    python -m api.demo.seed
"""

import random
import sys
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.accounts.models import Policyholder, StaffUser
from api.claims.catalogue import ACTS, ProviderKind, acts_for
from api.claims.models import Claim, Provider
from api.core.clock import local_today
from api.core.config import get_settings
from api.core.db import make_engine, make_sessionmaker, utcnow
from api.core.security import hash_password
from api.core.text import fold
from api.demo.people import DEMO_POLICYHOLDERS, DEMO_REPORTS, DEMO_STAFF, DemoPolicyholder
from api.demo.providers import DEMO_PROVIDERS
from api.notifications import service as notifications_service
from api.reports import filing as reports_filing
from api.reports.limits import ReportLimits
from api.reports.schemas import ReportCreate
from api.reports.workflow import AnomalyType

DEMO_PASSWORD = "demo"  # noqa: S105 - documented demo password, refused outside DEMO=1
CENTS = Decimal("0.01")

# Kinds that bill the insurer directly (third-party payment).
THIRD_PARTY_KINDS = frozenset(
    {
        ProviderKind.PHARMACY,
        ProviderKind.LABORATORY,
        ProviderKind.RADIOLOGY,
        ProviderKind.MEDICAL_TRANSPORT,
        ProviderKind.NURSE,
    }
)


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENTS, rounding=ROUND_HALF_UP)


def _claim(
    holder: Policyholder,
    provider: Provider,
    act_code: str,
    care_date: date,
    today: date,
    rng: random.Random,
    quantity: int = 1,
) -> Claim:
    act = ACTS[act_code]
    # Prices vary a little around the catalogue price, as real invoices do.
    billed = _money(act.price * quantity * Decimal(rng.choice(("1", "1", "1", "1.1", "1.25"))))
    base = _money(act.base * quantity)
    return Claim(
        policyholder_id=holder.id,
        provider_id=provider.id,
        care_date=care_date,
        act_code=act.code,
        act_label=act.label,
        quantity=quantity,
        amount_billed=billed,
        reimbursement_base=base,
        reimbursement_rate=act.rate,
        amount_reimbursed=_money(min(billed, base * act.rate / 100)),
        paid_date=min(today, care_date + timedelta(days=rng.randint(2, 8))),
        third_party_payment=provider.kind in THIRD_PARTY_KINDS,
    )


def _scenario_claims(
    username: str,
    holder: Policyholder,
    providers: dict[str, Provider],
    today: date,
    rng: random.Random,
) -> list[Claim]:
    """One suspicious line per person, the kind the campaign asks people to spot."""
    if username == "assure1":
        # A scaling billed as a crown (upcoding) by the dentist.
        return [
            _claim(
                holder, providers["10005678903"], "HBLD036", today - timedelta(days=12), today, rng
            )
        ]
    if username == "assure2":
        # One physiotherapy session billed twice on the same day.
        day = today - timedelta(days=9)
        return [
            _claim(holder, providers["10007890125"], "AMK", day, today, rng),
            _claim(holder, providers["10007890125"], "AMK", day, today, rng),
        ]
    # An ambulance ride that never took place.
    return [_claim(holder, providers["690006789"], "AMB", today - timedelta(days=6), today, rng)]


def _claims_for(
    spec: DemoPolicyholder, holder: Policyholder, providers: dict[str, Provider], today: date
) -> list[Claim]:
    rng = random.Random(f"demo-claims-{spec.username}")
    claims = _scenario_claims(spec.username, holder, providers, today, rng)
    used = {(c.care_date, c.provider_id) for c in claims}
    while len(claims) < spec.claim_count:
        provider = providers[rng.choice(spec.circle)]
        care_date = today - timedelta(days=rng.randint(1, 360))
        if (care_date, provider.id) in used:
            continue
        used.add((care_date, provider.id))
        act = rng.choice(
            [a for a in acts_for(provider.kind) if a.code not in {"HBLD036", "HBLD634"}]
        )
        quantity = rng.randint(1, 3) if act.code in {"AMI", "B"} else 1
        claims.append(_claim(holder, provider, act.code, care_date, today, rng, quantity))
    return claims


def seed_demo(session: Session, *, today: date) -> bool:
    """Create the demo accounts and their data; False if they are already there."""
    if session.scalar(select(Policyholder.id).where(Policyholder.username == "assure1")):
        return False
    password_hash = hash_password(DEMO_PASSWORD)

    providers: dict[str, Provider] = {}
    for identifier, name, kind, city in DEMO_PROVIDERS:
        provider = session.scalar(select(Provider).where(Provider.identifier == identifier))
        if provider is None:
            provider = Provider(
                identifier=identifier, name=name, search_name=fold(name), kind=kind, city=city
            )
            session.add(provider)
        providers[identifier] = provider
    for username, full_name, role in DEMO_STAFF:
        session.add(
            StaffUser(
                username=username,
                full_name=full_name,
                role=role,
                password_hash=password_hash,
                is_demo=True,
            )
        )
    session.flush()

    for spec in DEMO_POLICYHOLDERS:
        holder = Policyholder(
            nir=spec.nir,
            first_name=spec.first_name,
            last_name=spec.last_name,
            email=spec.email,
            username=spec.username,
            password_hash=password_hash,
            is_demo=True,
        )
        session.add(holder)
        session.flush()
        claims = sorted(
            _claims_for(spec, holder, providers, today),
            key=lambda claim: (claim.care_date, claim.provider_id),
        )
        session.add_all(claims)
        # The email their latest reimbursement calls for: the worker sends it to the local sink.
        notifications_service.queue_payment_notice(
            session=session, policyholder=holder, now=utcnow(), window=timedelta(0)
        )
        if spec.username in DEMO_REPORTS:
            session.flush()
            _file_demo_report(session, holder, claims, DEMO_REPORTS[spec.username], today)
    session.flush()
    return True


def _file_demo_report(
    session: Session,
    holder: Policyholder,
    claims: list[Claim],
    report: tuple[str, str, str, str],
    today: date,
) -> None:
    act_code, provider_name, anomaly, description = report
    claim = next(c for c in claims if c.act_code == act_code)
    reports_filing.file_report(
        session=session,
        policyholder_id=holder.id,
        data=ReportCreate(
            claim_id=claim.id,
            care_date=claim.care_date,
            provider_name=provider_name,
            description=description,
            anomaly_type=AnomalyType(anomaly),
        ),
        idempotency_key=f"demo-{holder.username}",
        today=today,
        history_start=today - timedelta(days=800),
        limits=ReportLimits(daily=1, weekly=1),  # one report per demo policyholder
        via_assistant=True,  # as if the assistant had filed them (without a transcript)
    )


def main() -> int:
    settings = get_settings()
    if not settings.demo:
        print("Les données de démonstration ne sont créées qu'avec DEMO=1.", file=sys.stderr)
        return 2
    engine = make_engine(settings.database_url)
    with make_sessionmaker(engine).begin() as session:
        created = seed_demo(session, today=local_today(settings.timezone))
    print(
        "Données de démonstration créées."
        if created
        else "Données de démonstration déjà présentes."
    )
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
