"""The people of the whole-conversation bench: one demo policyholder per conversation of
`bench/conversations.yml`, with exactly the claims it lists (API environment, after the seed).

    DEMO=1 .venv-api/bin/python -m bench.conversation_people <sqlite-url> bench/conversations.yml

Each account is `conv-<id>`, with the demo password; claims are recorded by the claims domain's
own use case (`record_claim`), dated from the API's local today. Run again, it adds nothing.
"""

from __future__ import annotations

import sys
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.accounts.models import Policyholder
from api.claims.catalogue import ACTS
from api.claims.models import Provider
from api.claims.schemas import ClaimCreate
from api.claims.service import record_claim
from api.core.clock import local_today
from api.core.config import get_settings
from api.core.db import make_engine, make_sessionmaker
from api.core.security import hash_password
from api.demo.seed import DEMO_PASSWORD
from bench.conversation_script import ClaimSpec, Conversation, load

CENTS = Decimal("0.01")
# NIRs of the bench's people: 13 digits, a prefix no demo person has.
NIR_PREFIX = "19999"


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENTS, rounding=ROUND_HALF_UP)


def claim_data(spec: ClaimSpec, holder_id: int, provider: Provider, today: date) -> ClaimCreate:
    """The claim as the insurer records it: catalogue price and reimbursement, paid 3 days on."""
    act = ACTS[spec.act]
    if provider.kind not in act.kinds:
        raise ValueError(f"{provider.name} does not bill {act.code}")
    care_date = today - timedelta(days=spec.days_ago)
    billed = _money(act.price * spec.quantity)
    return ClaimCreate(
        policyholder_id=holder_id,
        provider_id=provider.id,
        act_code=act.code,
        care_date=care_date,
        quantity=spec.quantity,
        amount_billed=billed,
        amount_reimbursed=_money(min(billed, act.base * spec.quantity * act.rate / 100)),
        paid_date=min(today, care_date + timedelta(days=3)),
    )


def add_person(
    session: Session,
    conversation: Conversation,
    number: int,
    *,
    password_hash: str,
    today: date,
    notify_window_days: int,
) -> bool:
    """The conversation's policyholder and its claims; False if the account already exists."""
    username = conversation.username
    if session.scalar(select(Policyholder.id).where(Policyholder.username == username)):
        return False
    holder = Policyholder(
        nir=f"{NIR_PREFIX}{number:08d}",
        first_name="Banc",
        last_name=conversation.id,
        email=f"{username}@example.fr",
        username=username,
        password_hash=password_hash,
        is_demo=True,  # usable with DEMO=1 only, like the demo's own people
    )
    session.add(holder)
    session.flush()
    for spec in conversation.claims:
        provider = session.scalar(select(Provider).where(Provider.identifier == spec.provider))
        if provider is None:
            raise ValueError(f"{conversation.id}: no provider {spec.provider} (run the seed)")
        data = claim_data(spec, holder.id, provider, today)
        record_claim(session=session, data=data, today=today, notify_window_days=notify_window_days)
    return True


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    settings = get_settings()
    if not settings.demo:
        print("Les comptes du banc ne sont créés qu'avec DEMO=1.", file=sys.stderr)
        return 2
    conversations = load(Path(argv[1]))
    today = local_today(settings.timezone)
    password_hash = hash_password(DEMO_PASSWORD)
    engine = make_engine(argv[0])
    with make_sessionmaker(engine).begin() as session:
        created = sum(
            add_person(
                session,
                conversation,
                number,
                password_hash=password_hash,
                today=today,
                notify_window_days=settings.notify_window_days,
            )
            for number, conversation in enumerate(conversations, start=1)
        )
    engine.dispose()
    print(f"{created} assurés du banc créés ({len(conversations) - created} déjà présents).")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
