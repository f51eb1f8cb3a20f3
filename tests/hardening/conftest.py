"""A small world to aim hostile input at: every role signed in, a claim, reports, an inbox
message, a training run and its model, over a tiny copy of the assistant's data."""

import json
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from ruamel.yaml import YAML
from sqlalchemy.orm import Session

from api.accounts.models import StaffRole
from api.core.clock import local_today
from api.core.config import Settings
from api.training import service as training_service
from api.training.inbox import message_key
from tests.factories import Factory
from tests.web.agent.helpers import file
from tests.web.helpers import csrf_token, login
from tests.workbench.support import ROOT, TrackerStore, pointed_at_files

# A few examples only: the workbench reads the data on every page, and the sweep loads many.
SMALL_NLU = """version: "3.1"

nlu:
- intent: greet
  examples: |
    - bonjour
    - salut
- intent: inform
  examples: |
    - c'était chez [docteur Martin](provider)
"""
SMALL_TEST_SET = """version: "3.1"

nlu:
- intent: greet
  examples: |
    - coucou
"""


def small_assistant(target: Path) -> Path:
    """The domain's intents and entities, the real configuration, and a few examples."""
    (target / "data").mkdir(parents=True)
    (target / "tests").mkdir()
    domain = YAML(typ="safe", pure=True).load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    names = {key: domain[key] for key in ("intents", "entities")}
    with open(target / "domain.yml", "w", encoding="utf-8") as out:
        out.write('version: "3.1"\n')
        YAML(typ="safe", pure=True).dump(names, out)
    shutil.copy2(ROOT / "config.yml", target / "config.yml")
    (target / "data" / "nlu.yml").write_text(SMALL_NLU, encoding="utf-8")
    (target / "tests" / "nlu_test.yml").write_text(SMALL_TEST_SET, encoding="utf-8")
    return target


@dataclass
class Caller:
    """A role as the app sees it: a client with its cookie (pages) and its bearer token (API)."""

    role: str
    client: TestClient
    bearer: dict[str, str]
    csrf: str
    username: str | None = None


@dataclass
class World:
    callers: list[Caller]
    policyholder_id: int
    agent_id: int
    provider_id: int
    claim_id: int
    reference: str
    other_reference: str
    message_key: str
    run_id: int
    version: str


@pytest.fixture
def small_workbench(app: FastAPI, settings: Settings, tmp_path: Path) -> Iterator[Settings]:
    store = TrackerStore(tmp_path / "tracker.db")
    store.create()
    store.user_says("je voudrais parler du docteur Durand", "inform", 0.4)
    assistant = small_assistant(tmp_path / "assistant")
    with pointed_at_files(app, settings, tmp_path, assistant, store.url) as changed:
        yield changed


def _signed_in(app: FastAPI, role: str, username: str | None) -> Caller:
    client = TestClient(app, raise_server_exceptions=False)
    if username is None:
        return Caller(role, client, {}, csrf_token(client))
    caller = Caller(role, client, {}, "", username)
    sign_in_again(caller)
    return caller


def sign_in_again(caller: Caller) -> None:
    """Through the sign-in page, as a person would; the new session's CSRF token is kept."""
    assert caller.username is not None
    response = login(caller.client, caller.username)
    assert response.status_code == 303, response.text
    caller.csrf = csrf_token(caller.client, response.headers["location"])


@pytest.fixture
def world(app: FastAPI, db: Session, factory: Factory, small_workbench: Settings) -> World:
    today = local_today(small_workbench.timezone)
    holder = factory.policyholder()
    provider = factory.provider()
    claim = factory.claim(holder, provider, today - timedelta(days=5))
    agent = factory.staff(StaffRole.AGENT)
    admin = factory.staff(StaffRole.ADMIN)
    trainer = factory.staff(StaffRole.TRAINER)
    report = file(db, holder.id, claim=claim)
    other = file(db, holder.id, description="Une autre séance jamais faite.")
    now = datetime.now(UTC)
    run = training_service.queue_run(session=db, actor_id=trainer.id, now=now)
    model = training_service.finish_run(
        session=db, run=run, model_path="/nowhere/model.tar.gz", evaluation={}, now=now
    )
    db.commit()
    callers = [_signed_in(app, "anonyme", None)]
    for role, account in (
        ("assuré", holder),
        ("agent", agent),
        ("formateur", trainer),
        ("admin", admin),
    ):
        caller = _signed_in(app, role, account.username)
        caller.bearer = factory.auth(account)
        callers.append(caller)
    store = TrackerStore(Path(small_workbench.tracker_store_url.removeprefix("sqlite:///")))
    key = _only_message_key(store)
    return World(
        callers=callers,
        policyholder_id=holder.id,
        agent_id=agent.id,
        provider_id=provider.id,
        claim_id=claim.id,
        reference=report.reference,
        other_reference=other.reference,
        message_key=key,
        run_id=run.id,
        version=model.version,
    )


def _only_message_key(store: TrackerStore) -> str:
    with sqlite3.connect(store.path) as connection:
        sender, stamp, data = connection.execute(
            "SELECT sender_id, timestamp, data FROM events"
        ).fetchone()
    return message_key(sender, stamp, json.loads(data)["text"])
