"""People for the load and fault tests: one policyholder per conversation, each with a crown
billed by a dentist a few days ago (the line they will report)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from api.accounts.models import Policyholder
from api.claims.catalogue import ACTS, ProviderKind
from api.claims.models import Claim, Provider
from api.core.db import make_engine, make_sessionmaker
from api.core.security import hash_password
from api.core.text import fold

PASSWORD = "demo"
DENTISTS = ("Dr Gaston Lefèvre", "Dr Aline Roussel", "Dr Marc Tessier", "Dr Inès Barbier")


@dataclass(frozen=True)
class Person:
    username: str
    claim_id: int
    care_date: date
    provider: str  # as the person types it

    @property
    def typed_date(self) -> str:
        return self.care_date.strftime("%d/%m/%Y")


def _dentists(session: Session, tag: str) -> list[Provider]:
    found = []
    for index, name in enumerate(DENTISTS):
        provider = Provider(
            identifier=f"9{abs(hash((tag, index))) % 10**10:010d}",
            name=name,
            search_name=fold(name),
            kind=ProviderKind.DENTIST,
            city="Lille",
        )
        session.add(provider)
        found.append(provider)
    session.flush()
    return found


def add_people(database_url: str, count: int, *, tag: str, today: date) -> list[Person]:
    """`count` policyholders (`<tag>-<n>`, password « demo ») and the claim each will report."""
    engine = make_engine(database_url)
    act = ACTS["HBLD036"]
    secret = hash_password(PASSWORD)
    people = []
    with make_sessionmaker(engine)() as session:
        dentists = _dentists(session, tag)
        for n in range(1, count + 1):
            holder = Policyholder(
                nir=f"2{abs(hash((tag, n))) % 10**12:012d}",
                first_name="Personne",
                last_name=f"Essai {n}",
                email=f"{tag}-{n}@example.fr",
                username=f"{tag}-{n}",
                password_hash=secret,
            )
            session.add(holder)
            session.flush()
            dentist = dentists[n % len(dentists)]
            care_date = today - timedelta(days=3 + n % 5)
            claim = Claim(
                policyholder_id=holder.id,
                provider_id=dentist.id,
                care_date=care_date,
                act_code=act.code,
                act_label=act.label,
                quantity=1,
                amount_billed=act.price,
                reimbursement_base=act.base,
                reimbursement_rate=act.rate,
                amount_reimbursed=(act.base * act.rate / 100).quantize(Decimal("0.01")),
                paid_date=care_date + timedelta(days=2),
                third_party_payment=True,
            )
            session.add(claim)
            session.flush()
            typed = dentist.name.lower().replace("dr ", "docteur ")
            people.append(Person(holder.username or "", claim.id, care_date, typed))
        session.commit()
    engine.dispose()
    return people
