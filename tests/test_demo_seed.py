"""The demo data: deterministic, realistic, and only in demo mode."""

import subprocess
import sys
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.accounts.models import Policyholder, StaffUser
from api.claims.models import Claim, Provider
from api.core.config import PROJECT_ROOT
from api.core.db import make_engine, make_sessionmaker
from api.core.migrate import upgrade
from api.demo.seed import DEMO_PASSWORD, seed_demo

TODAY = date(2026, 11, 26)


def _snapshot(session: Session) -> list[tuple[object, ...]]:
    rows = session.execute(
        select(
            Policyholder.username,
            Provider.identifier,
            Claim.care_date,
            Claim.act_code,
            Claim.amount_billed,
            Claim.amount_reimbursed,
            Claim.paid_date,
        )
        .join(Claim.provider)
        .join(Policyholder, Policyholder.id == Claim.policyholder_id)
        .order_by(Claim.id)
    )
    return [tuple(row) for row in rows]


def _seeded(path: Path) -> list[tuple[object, ...]]:
    url = f"sqlite:///{path}"
    upgrade(url)
    engine = make_engine(url)
    with make_sessionmaker(engine).begin() as session:
        assert seed_demo(session, today=TODAY) is True
        assert seed_demo(session, today=TODAY) is False  # a second run adds nothing
        snapshot = _snapshot(session)
    engine.dispose()
    return snapshot


def test_seed_is_deterministic(tmp_path: Path) -> None:
    assert _seeded(tmp_path / "a.db") == _seeded(tmp_path / "b.db")


def test_seed_is_realistic(db: Session) -> None:
    seed_demo(db, today=TODAY)
    db.commit()
    holders = db.scalars(select(Policyholder).order_by(Policyholder.username)).all()
    assert [h.username for h in holders] == ["assure1", "assure2", "assure3"]
    assert {s.username: s.role for s in db.scalars(select(StaffUser))} == {
        "agent": "agent",
        "formateur": "trainer",
        "admin": "admin",
    }
    kinds = {p.kind for p in db.scalars(select(Provider))}
    assert len(kinds) >= 8
    for holder in holders:
        assert len(holder.nir) == 13 and holder.nir.isdigit()
        claims = db.scalars(select(Claim).where(Claim.policyholder_id == holder.id)).all()
        assert 15 <= len(claims) <= 40
        assert all(TODAY - timedelta(days=365) <= c.care_date < TODAY for c in claims)
        assert all(
            c.paid_date >= c.care_date and c.amount_reimbursed <= c.amount_billed for c in claims
        )
        pairs = Counter((c.care_date, c.provider_id) for c in claims)
        assert any(n == 1 for n in pairs.values())
    labels = {c.act_label for c in db.scalars(select(Claim))}
    assert "Détartrage et polissage des dents (HBJD001)" in labels or any(
        "(G)" in label for label in labels
    )


def test_demo_accounts_sign_in_in_demo_mode(app_demo_client: TestClient) -> None:
    for username in ("assure1", "assure2", "assure3", "agent", "formateur", "admin"):
        response = app_demo_client.post(
            "/api/v1/auth/token", data={"username": username, "password": DEMO_PASSWORD}
        )
        assert response.status_code == 200, username


def test_seed_command_refuses_outside_demo_mode(tmp_path: Path) -> None:
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
        "DEMO": "0",
        "SECRET_KEY": "k" * 40,
        "ASSISTANT_CHANNEL_KEY": "c" * 40,
        "ASSISTANT_SERVICE_KEY": "s" * 40,
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [sys.executable, "-m", "api.demo.seed"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "DEMO=1" in result.stderr
