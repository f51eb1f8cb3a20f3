"""Slow steps of a trainer's use case (Rasa validating or loading a model) run outside the
database's write lock, which SQLite gives a POST from its start (api/core/db.py)."""

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.orm import Session

from api.core.db import begin_write

T = TypeVar("T")


def without_write_lock(session: Session, work: Callable[[], T]) -> T:
    """Run `work` with the request's transaction committed (nothing may be written before this
    point), then start writing again for the records that follow."""
    session.commit()
    try:
        return work()
    finally:
        begin_write(session)
