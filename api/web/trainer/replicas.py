"""What the models page says of the model in service: the Rasa server's own answer (push), or
the stored model in service and what each replica runs, as its last pull told (pull)."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from api.accounts import staff
from api.core.config import Settings
from api.training import distribution, pulls
from api.training.models import ModelReplica, ModelServing
from api.training.serving import RasaServer, ServingError

# Replicas pull every few seconds, but a replica loading a model answers nothing meanwhile
# (Rasa loads on its event loop): silence is worrying after two minutes.
SILENT_AFTER = timedelta(minutes=2)
# Replicas load a new model one at a time, each in 25-70 s: a replica still on the previous
# model this long after the change, with none loading, is stuck.
LATE_AFTER = timedelta(minutes=3)
# A replica removed from the cluster stops being listed after a day without a pull.
FORGET_AFTER = timedelta(days=1)


def duration(since: datetime, now: datetime) -> str:
    """« 8 s », « 3 min », « 2 h », « 4 j » (the largest whole unit)."""
    seconds = max(0, int((now - since).total_seconds()))
    for unit, size in (("j", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds // size}\u00a0{unit}"
    return f"{seconds}\u00a0s"


def ago(since: datetime, now: datetime) -> str:
    return f"il y a {duration(since, now)}"


@dataclass(frozen=True)
class ReplicaRow:
    name: str
    model: str
    state: str  # up_to_date, waiting, loading, late, silent
    label: str
    seen: str
    # What the page warns of, above the table; None when all is well.
    warning: str | None


def _loading(replica: ModelReplica, sha256: str, now: datetime) -> bool:
    """As pulls.loading: sent the model in service, and silent since (Rasa is loading it)."""
    return (
        replica.sent_sha256 == sha256
        and replica.sent_at is not None
        and replica.sent_at >= now - pulls.LOAD_TIMEOUT
        and replica.last_seen_at == replica.sent_at
        and replica.fingerprint != sha256
    )


def _state(
    replica: ModelReplica,
    serving: ModelServing | None,
    sha256: str | None,
    now: datetime,
    *,
    turn_taken: bool,
) -> tuple[str, str, str | None]:
    name = replica.name
    if sha256 is not None and _loading(replica, sha256, now):
        return (
            "loading",
            f"Chargement du modèle reçu {ago(replica.last_seen_at, now)}",
            None,
        )
    if now - replica.last_seen_at > SILENT_AFTER:
        silence = duration(replica.last_seen_at, now)
        return (
            "silent",
            f"Sans nouvelles depuis {silence}",
            f"La réplique {name} n'a pas demandé son modèle depuis {silence}\u00a0: "
            "est-elle arrêtée\u00a0?",
        )
    if sha256 is None or serving is None:
        return "waiting", "Aucun modèle en service à lui envoyer", None
    if replica.fingerprint == sha256:
        return "up_to_date", "À jour", None
    if turn_taken:
        return "waiting", "Attend son tour\u00a0: une autre réplique charge le modèle", None
    if now - serving.changed_at > LATE_AFTER:
        return (
            "late",
            "En retard",
            f"La réplique {name} ne répond toujours pas avec le modèle en service, changé "
            f"{ago(serving.changed_at, now)}\u00a0: voyez son journal.",
        )
    return "waiting", "Recevra le modèle en service à sa prochaine vérification", None


def replica_rows(*, session: Session, now: datetime) -> list[ReplicaRow]:
    replicas = pulls.known_replicas(session=session, seen_since=now - FORGET_AFTER)
    serving = distribution.serving_record(session=session)
    served = distribution.in_service(session=session)
    sha256 = served.sha256 if served else None
    by_sha = pulls.artifacts_by_sha256(
        session=session, digests={r.fingerprint for r in replicas if r.fingerprint}
    )
    names = distribution.labels(session=session, artifact_ids=set(by_sha.values()))
    # As pulls.may_load: only a replica that was serving holds the others back while it loads.
    turn_taken = sha256 is not None and any(
        _loading(r, sha256, now) and r.fingerprint in by_sha for r in replicas
    )
    rows = []
    for replica in replicas:
        state, label, warning = _state(replica, serving, sha256, now, turn_taken=turn_taken)
        artifact_id = by_sha.get(replica.fingerprint or "")
        rows.append(
            ReplicaRow(
                name=replica.name,
                model=names.get(artifact_id, "—") if artifact_id else "aucun modèle du service",
                state=state,
                label=label,
                seen=ago(replica.last_seen_at, now),
                warning=warning,
            )
        )
    return rows


def serving_context(*, session: Session, settings: Settings, now: datetime) -> dict[str, Any]:
    """The model page's « Modèle en service » section, for either way of distributing."""
    if settings.model_distribution != "pull":
        try:
            serving, error = RasaServer(settings).model_file(), None
        except ServingError as failure:
            serving, error = None, failure.message
        return {"pull": False, "serving": serving, "serving_error": error}
    record = distribution.serving_record(session=session)
    in_service = None
    if record is not None:
        by = staff.names(session=session, ids=[record.changed_by_id]).get(
            record.changed_by_id or 0, "la commande de publication"
        )
        in_service = {
            "label": distribution.label(session=session, artifact_id=record.artifact_id),
            "since": record.changed_at,
            "by": by,
        }
    rows = replica_rows(session=session, now=now)
    return {
        "pull": True,
        "in_service": in_service,
        "replicas": rows,
        "replicas_up_to_date": sum(row.state == "up_to_date" for row in rows),
        "replica_warnings": [row.warning for row in rows if row.warning],
    }
