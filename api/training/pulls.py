"""The replicas' pulls: what to answer each, one replica loading at a time, each pull recorded.

Every pull is one upsert of `model_replica` (name, the ETag it runs, when), so the workbench
shows which model every replica runs; the steady state (304) reads no model bytes.
Keyword-only functions that only flush; the caller's transaction commits.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from api.training.artifacts import StoredModel
from api.training.distribution import SERVING_ROW, in_service
from api.training.models import ModelArtifact, ModelReplica, ModelServing

FINGERPRINT_MAX = 100
# Rasa loads a model on its event loop and answers nothing meanwhile (25 s alone, 70 s with two
# loading on two busy cores, memory doubled): replicas take a new model one at a time, the
# others keeping theirs until the loading one reports the new model, or this long at most.
LOAD_TIMEOUT = timedelta(minutes=3)


def record_pull(
    *,
    session: Session,
    name: str,
    fingerprint: str | None,
    sent_sha256: str | None,
    now: datetime,
) -> None:
    """One upsert per pull: the model the replica runs (its If-None-Match) and when it asked."""
    values: dict[str, object] = {
        "fingerprint": fingerprint[:FINGERPRINT_MAX] if fingerprint else None,
        "last_seen_at": now,
    }
    if sent_sha256 is not None:
        values.update(sent_sha256=sent_sha256, sent_at=now)
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(ModelReplica).values(name=name, **values)
    session.execute(
        statement.on_conflict_do_update(index_elements=[ModelReplica.name], set_=values)
    )


def loading(sha256: str, since: datetime) -> ColumnElement[bool]:
    """Replicas that ran a model of ours when sent `sha256` since `since`, and have not pulled
    since: they are loading it, and answer nothing meanwhile."""
    return and_(
        ModelReplica.sent_sha256 == sha256,
        ModelReplica.sent_at >= since,
        ModelReplica.last_seen_at == ModelReplica.sent_at,
        ModelReplica.fingerprint != sha256,
        ModelReplica.fingerprint.in_(select(ModelArtifact.sha256)),
    )


def may_load(
    *, session: Session, name: str, fingerprint: str | None, sha256: str, now: datetime
) -> bool:
    """Whether a replica may take the model in service now. A replica without a model of ours
    (starting) always may; one that runs a previous model waits while another one loads, so
    the cluster never stops answering all at once."""
    if fingerprint is None or not artifacts_by_sha256(session=session, digests={fingerprint}):
        return True
    # One decision at a time (PostgreSQL; SQLite's writers are serialised already).
    session.execute(select(ModelServing.id).where(ModelServing.id == SERVING_ROW).with_for_update())
    other = session.scalar(
        select(ModelReplica.name)
        .where(ModelReplica.name != name, loading(sha256, now - LOAD_TIMEOUT))
        .limit(1)
    )
    return other is None


@dataclass(frozen=True)
class PullAnswer:
    served: StoredModel | None
    outcome: Literal["none", "current", "wait", "send"]


def answer_pull(*, session: Session, name: str, tags: list[str], now: datetime) -> PullAnswer:
    """What to answer a replica's pull (its If-None-Match tags), recorded in one upsert."""
    served = in_service(session=session)
    running = served.sha256 if served and served.sha256 in tags else (tags[0] if tags else None)
    outcome: Literal["none", "current", "wait", "send"] = "none"
    if served is not None:
        if served.sha256 in tags or "*" in tags:
            outcome = "current"
        elif may_load(
            session=session, name=name, fingerprint=running, sha256=served.sha256, now=now
        ):
            outcome = "send"
        else:
            outcome = "wait"
    record_pull(
        session=session,
        name=name,
        fingerprint=running,
        sent_sha256=served.sha256 if served is not None and outcome == "send" else None,
        now=now,
    )
    return PullAnswer(served=served, outcome=outcome)


def known_replicas(*, session: Session, seen_since: datetime) -> list[ModelReplica]:
    query = (
        select(ModelReplica)
        .where(ModelReplica.last_seen_at >= seen_since)
        .order_by(ModelReplica.name)
    )
    return list(session.scalars(query))


def artifacts_by_sha256(*, session: Session, digests: set[str]) -> dict[str, int]:
    if not digests:
        return {}
    query = select(ModelArtifact.sha256, ModelArtifact.id).where(ModelArtifact.sha256.in_(digests))
    return dict(session.execute(query).all())
