"""What a channel tells the person when a turn could not be handled: never silence.

A turn fails as a whole when the conversation cannot be read or written (the tracker store is
unreachable: nothing of the message was kept) or when it cannot take its turn (the lock store is
unreachable). The action server being down is handled inside the turn instead
(`bot.resilience`): the message is kept and the assistant says so.
"""

from __future__ import annotations

import logging
import traceback

from rasa.core.lock_store import LockError

from bot.resilience import TrackerStoreUnavailable

logger = logging.getLogger("bot.channels")

NOT_RECORDED = (
    "Je rencontre un problème technique et je ne peux pas enregistrer notre conversation pour "
    "le moment\u00a0: votre dernier message n'a pas été pris en compte. Les signalements que vous "
    "avez déjà envoyés sont bien enregistrés. Réessayez dans quelques minutes en renvoyant "
    "votre message."
)
BUSY = (
    "Je rencontre un problème technique et votre message n'a pas pu être traité. "
    "Renvoyez-le dans quelques instants : la conversation reprendra là où elle en était."
)
FAILED = (
    "Je rencontre un problème technique et votre message n'a pas pu être traité. "
    "Réessayez dans quelques minutes\u00a0; si le problème persiste, vous pouvez aussi appeler "
    "le 36\u00a046."
)


def explain(error: BaseException) -> str:
    """The French sentence for the person, by what failed."""
    if isinstance(error, TrackerStoreUnavailable):
        return NOT_RECORDED
    if isinstance(error, LockError):
        return BUSY
    return FAILED


def log(error: BaseException) -> None:
    """Log the failure by its kind only: never the text, which may hold health data."""
    if isinstance(error, (TrackerStoreUnavailable, LockError)):
        logger.error("turn not handled: %s", type(error).__name__)
        return
    # The frames, not the message: a database error's message carries the SQL parameters.
    frames = "".join(traceback.format_tb(error.__traceback__))
    logger.error("turn not handled: %s\n%s", type(error).__name__, frames)
