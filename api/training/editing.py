"""Checking and saving a change to the NLU files: Rasa validates a staged copy first, then the
file is replaced atomically; a change Rasa refuses is never written.

The preview (a GET) runs the validation and remembers that this exact content passed, so the
save (a POST, which holds the database's write lock on SQLite) does not run Rasa again.
"""

import fcntl
import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.orm import Session

from api.core.config import Settings
from api.core.errors import Conflict, InvalidInput
from api.training import rasa_cli
from api.training.nlu_files import Change
from api.training.write_lock import without_write_lock

VALIDATED = "validated"


class ValidationFailed(InvalidInput):
    """`rasa data validate` refused the data as the change would leave them."""

    code = "rasa_refused_data"

    def __init__(self, problems: list[str]) -> None:
        super().__init__(
            "Rasa refuse les données modifiées, rien n'a été écrit : " + " ; ".join(problems[:3])
        )
        self.problems = problems


class DataChanged(Conflict):
    """The file changed since the trainer's preview (another trainer saved meanwhile)."""

    code = "training_data_changed"


def _marker(settings: Settings, change: Change) -> Path:
    digest = hashlib.sha256(f"{change.path}\x00{change.after}".encode()).hexdigest()
    return settings.training_dir / VALIDATED / digest


def check(settings: Settings, change: Change) -> rasa_cli.Validation:
    """`rasa data validate` on the data as it would be after the change."""
    marker = _marker(settings, change)
    if marker.exists():
        return rasa_cli.Validation(ok=True, problems=[])
    with rasa_cli.staged_copy(settings, {change.path: change.after}) as folder:
        result = rasa_cli.validate(settings, folder)
    if result.ok:
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()
    return result


@contextmanager
def _file_lock(settings: Settings) -> Iterator[None]:
    settings.training_dir.mkdir(parents=True, exist_ok=True)
    with open(settings.training_dir / "nlu.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def save(settings: Settings, change: Change, *, seen_digest: str) -> None:
    """Write the change if the file is still what the trainer saw and Rasa accepts the result."""
    target = settings.assistant_dir / change.path
    with _file_lock(settings):
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if (current is not None and current != change.before) or change.base_digest != seen_digest:
            raise DataChanged(
                "Les données ont changé depuis l'aperçu (un autre formateur les a modifiées) : "
                "vérifiez de nouveau la modification."
            )
        result = check(settings, change)
        if not result.ok:
            raise ValidationFailed(result.problems)
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, staging = tempfile.mkstemp(prefix=".nlu-", suffix=".yml", dir=target.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
                out.write(change.after)
            if target.exists():
                os.chmod(staging, target.stat().st_mode & 0o777)
            os.replace(staging, target)
        except BaseException:
            Path(staging).unlink(missing_ok=True)
            raise


def save_unlocked(
    session: Session, settings: Settings, change: Change, *, seen_digest: str
) -> None:
    """`save`, outside the database's write lock (Rasa may validate for a while): the use case
    must not have written anything before."""
    without_write_lock(session, lambda: save(settings, change, seen_digest=seen_digest))
