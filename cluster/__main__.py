"""`python -m cluster up|status|stop` (what `make cluster`, `make cluster-status` and
`make cluster-stop` run)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from cluster import control
from cluster.topology import ROOT, Counts

DEFAULT_STATE = ROOT / "var" / "cluster"


def _count(name: str, default: int) -> int:
    value = os.environ.get(name, "") or str(default)
    if not value.isdigit() or not 1 <= int(value) <= 16:
        raise SystemExit(f"{name} doit être un nombre entre 1 et 16 (reçu : {value!r}).")
    return int(value)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m cluster")
    parser.add_argument("command", choices=["up", "status", "stop"])
    parser.add_argument("--state-dir", type=Path, default=DEFAULT_STATE)
    parser.add_argument(
        "--hosts", type=int, default=0, help="réseaux séparés (espaces de noms) pour les répliques"
    )
    args = parser.parse_args()
    if args.command == "status":
        print("\n".join(control.status_lines(args.state_dir)))
        return
    if args.command == "stop":
        control.stop(args.state_dir)
        print("Grappe arrêtée.")
        return
    counts = Counts(
        rasa=_count("RASA_REPLICAS", 2),
        actions=_count("ACTION_REPLICAS", 2),
        api=_count("API_PROCESSES", 2),
    )
    demo = os.environ.get("DEMO", "1") == "1"
    topology = control.up(control.Options(args.state_dir, counts, args.hosts, demo=demo))
    print("\n".join(control.status_lines(args.state_dir)))
    print(f"\n  Point d'entrée : {topology.entry_url}")
    if demo:
        print("  Comptes de démonstration : assure1, agent, formateur, admin (mot de passe : demo)")


if __name__ == "__main__":
    try:
        main()
    except RuntimeError as error:
        sys.exit(str(error))
