"""Merge newly written training examples into data/nlu.yml (bot environment).

    PYTHONPATH=. .venv-bot/bin/python -m bench.nlu_merge NEW.yml [NEW.yml …]

Each new example goes at the end of its intent's block, the rest of the file untouched. An
example is dropped when the training data already has it (same words: case, accents,
punctuation aside), and when a held-out set has a twin of it (the same words, or from three
words four in five of them in common, as `bench.nlu_heldout` counts twins): examples written
too close to a held-out set would make its figures lie. Only counts are printed, never a
held-out message. Each example is stored as the assistant reads it: secrets masked, as the
channels mask them (a card number becomes « [numéro de carte masqué] »).
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from bench.nlu_heldout import (
    HELD_OUT_SETS,
    ROOT,
    example_lines,
    is_twin,
    load_examples,
    plain_text,
    word_set,
)
from bot.redaction import redact

NLU_DATA = ROOT / "data/nlu.yml"


def chosen(
    new: list[Path], data: Path, held_out: list[Path]
) -> tuple[dict[str, list[str]], Counter[str]]:
    """The new examples to merge, by intent, and how many were dropped for which reason."""
    known = {word_set(e.text) for e in load_examples(data)}
    twins = [word_set(e.text) for path in held_out for e in load_examples(path)]
    dropped: Counter[str] = Counter()
    keep: dict[str, list[str]] = {}
    for path in new:
        for intent, typed, _hard in example_lines(path):
            line = redact(typed).text
            mine = word_set(plain_text(line))
            if not mine or mine in known:
                dropped["déjà là"] += 1
            elif is_twin(mine, twins):
                dropped["jumeau d'un message réservé"] += 1
            else:
                known.add(mine)
                keep.setdefault(intent, []).append(line)
    return keep, dropped


def merge(data: Path, keep: dict[str, list[str]]) -> None:
    """Append each intent's examples at the end of its block of `data`."""
    lines = data.read_text(encoding="utf-8").split("\n")
    for intent, examples in keep.items():
        try:
            start = lines.index(f"- intent: {intent}")
        except ValueError:
            raise SystemExit(f"Intention inconnue de {data.name} : {intent}") from None
        end = start + 1
        while end < len(lines) and not lines[end].startswith("- "):
            end += 1
        while lines[end - 1].strip() == "":
            end -= 1
        lines[end:end] = [f"    - {example}" for example in examples]
    data.write_text("\n".join(lines), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("new", type=Path, nargs="+")
    args = parser.parse_args()
    keep, dropped = chosen(args.new, NLU_DATA, list(HELD_OUT_SETS.values()))
    merge(NLU_DATA, keep)
    added = {intent: len(examples) for intent, examples in keep.items()}
    print(f"{sum(added.values())} exemples ajoutés : {added}")
    print("écartés :", dict(dropped))


if __name__ == "__main__":
    main()
