"""Retention by hand.

    python -m api.retention run [--dry-run]   one run now (a dry run changes nothing)
    python -m api.retention history           the last runs, from the audit table

Exit status of `run`: 0 done, 1 an error in some category (the others ran), 2 the database
is unreachable, 3 another instance is running (nothing was done in either case).
"""

import argparse
import logging
import sys
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from api.core.config import get_settings
from api.core.db import make_engine, make_sessionmaker, utcnow
from api.retention.models import RetentionRun, RunOutcome
from api.retention.runner import Policy, RunResult, run_retention

BUSY = 3
LABELS = {
    "reports": ("signalements anonymisés", "signalements à anonymiser"),
    "conversations": ("conversations supprimées", "conversations à supprimer"),
    "notifications": ("courriels supprimés de la file", "courriels à supprimer de la file"),
    "access": (
        "traces de connexion supprimées (sessions, compteurs, journal de sécurité)",
        "traces de connexion à supprimer (sessions, compteurs, journal de sécurité)",
    ),
}


def summary(result: RunResult) -> str:
    """What the run did, in French, for the person who started it."""
    if result.skipped:
        return "Une autre purge est en cours\u00a0: rien n'a été fait."
    head = (
        f"Simulation n°\u00a0{result.run_id} (rien n'a été modifié)\u00a0:"
        if result.dry_run
        else f"Purge n°\u00a0{result.run_id}\u00a0:"
    )
    lines = [head]
    for name, tally in result.tallies.items():
        label = LABELS[name][result.dry_run]
        left = f", {tally.remaining} en attente du prochain passage" if tally.remaining else ""
        lines.append(f"- {tally.done} {label}{left}")
    if result.outcome is RunOutcome.STOPPED:
        lines.append("Arrêtée avant la fin\u00a0: le prochain passage reprendra.")
    for error in result.errors:
        lines.append(f"Erreur\u00a0: {error} (les autres catégories ont été traitées).")
    return "\n".join(lines)


def _history(limit: int = 10) -> int:
    settings = get_settings()
    engine = make_engine(settings.database_url)
    with make_sessionmaker(engine)() as session:
        runs = session.scalars(select(RetentionRun).order_by(RetentionRun.id.desc()).limit(limit))
        for run in runs:
            kind = "simulation" if run.dry_run else "purge"
            print(
                f"n°\u00a0{run.id} {run.started_at:%Y-%m-%d %H:%M} UTC {kind} {run.outcome}\u00a0: "
                f"signalements {run.reports_purged} (reste {run.reports_remaining}), "
                f"conversations {run.conversations_deleted} (reste {run.conversations_remaining}), "
                f"courriels {run.notifications_deleted} (reste {run.notifications_remaining})"
                + (f", erreur {run.error}" if run.error else "")
            )
    engine.dispose()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m api.retention")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="une purge maintenant")
    run.add_argument("--dry-run", action="store_true", help="compter sans rien modifier")
    commands.add_parser("history", help="les dernières purges")
    args = parser.parse_args(argv)
    settings = get_settings()
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    if args.command == "history":
        return _history()
    engine = make_engine(settings.database_url)
    try:
        result = run_retention(
            engine=engine, policy=Policy.from_settings(settings), now=utcnow(), dry_run=args.dry_run
        )
    except SQLAlchemyError as error:
        print(f"Base de données injoignable ({type(error).__name__})\u00a0: rien n'a été fait.")
        return 2
    finally:
        engine.dispose()
    print(summary(result))
    if result.skipped:
        return BUSY
    return 1 if result.errors else 0


if __name__ == "__main__":
    sys.exit(main())
