"""Understanding measured on the held-out sets (bot environment), for `make bench`.

    PYTHONPATH=. .venv-bot/bin/python -m bench.nlu_heldout [--model models/x.tar.gz]

Two held-out sets, never trained on and never read by whoever writes training examples:
`tests/nlu_test.yml` and `tests/nlu_test_blind.yml` (written blind, from the issue's classes
and the intents' definitions only; its blocks marked `hard_negative` are messages close to a
report that are not one). Each message is parsed as the opening message of a conversation, as
`/model/parse` does: what the assistant would do if a person started with it.

Per set: intent macro-F1 (as Rasa's report computes it: an `nlu_fallback` counts as a class,
so a single message that falls back costs a whole class's F1), the same over the set's own
intents only (a fallback then counts only as its intent's miss), report recall, false starts
(other messages read as a report), hard negatives started, and how many messages have a twin
among the training examples. Only figures are printed, never the
messages: the sets stay held out.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from sklearn.metrics import f1_score

from bot.text import words

REPORT = "report_suspicious_reimbursement"
ROOT = Path(__file__).resolve().parents[1]
HELD_OUT_SETS = {
    "premier": ROOT / "tests/nlu_test.yml",
    "aveugle": ROOT / "tests/nlu_test_blind.yml",
}


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    hard_negative: bool


def plain_text(line: str) -> str:
    """An example line without Rasa's entity markup: « [Dr X](provider) » → « Dr X »."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", line)
    return re.sub(r"\[([^\]]*)\]\{[^}]*\}", r"\1", text)


def example_lines(path: Path) -> Iterator[tuple[str, str, bool]]:
    """Each example as written, entity markup kept: (intent, line, in a hard-negative block)."""
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    for block in document.get("nlu", []):
        if "intent" not in block:
            continue
        hard = bool((block.get("metadata") or {}).get("hard_negative"))
        for line in str(block.get("examples", "")).splitlines():
            line = line.strip()
            if line.startswith("- "):
                yield block["intent"], line[2:].strip(), hard


def load_examples(path: Path) -> list[Example]:
    return [Example(plain_text(line), intent, hard) for intent, line, hard in example_lines(path)]


def scores(examples: list[Example], predicted: list[str]) -> dict[str, Any]:
    truth = [e.intent for e in examples]
    reports = [p for e, p in zip(examples, predicted, strict=True) if e.intent == REPORT]
    others = [p for e, p in zip(examples, predicted, strict=True) if e.intent != REPORT]
    hard = [p for e, p in zip(examples, predicted, strict=True) if e.hard_negative]
    return {
        "messages": len(examples),
        "macro_f1": float(f1_score(truth, predicted, average="macro", zero_division=0)),
        "macro_f1_set_intents": float(
            f1_score(truth, predicted, labels=sorted(set(truth)), average="macro", zero_division=0)
        ),
        "fallbacks": sum(p == "nlu_fallback" for p in predicted),
        "report_recall": sum(p == REPORT for p in reports) / max(len(reports), 1),
        "false_starts": sum(p == REPORT for p in others) / max(len(others), 1),
        "hard_negatives": len(hard),
        "hard_negatives_started": sum(p == REPORT for p in hard) / len(hard) if hard else None,
        # What the missed reports were taken for, and what the false starts were (counts only).
        "reports_missed_as": dict(Counter(p for p in reports if p != REPORT).most_common()),
        "false_starts_from": dict(
            Counter(
                e.intent
                for e, p in zip(examples, predicted, strict=True)
                if p == REPORT and e.intent != REPORT
            ).most_common()
        ),
    }


async def _predict(model: Path, texts: list[str]) -> list[str]:
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    # Rasa logs each parsed text at debug level: the held-out messages must not be printed.
    logging.getLogger("rasa").setLevel(logging.WARNING)
    configure_structlog(logging.WARNING)
    agent = Agent.load(str(model))
    intents = []
    for text in texts:
        parsed = await agent.parse_message(text)
        intents.append(str((parsed.get("intent") or {}).get("name")))
    return intents


def word_set(text: str) -> frozenset[str]:
    """The words of a text, case, accents, punctuation and order aside."""
    return frozenset(words(text).split())


def is_twin(mine: frozenset[str], others: list[frozenset[str]]) -> bool:
    """The same words as one of `others`, or, from three words, four in five of them."""
    if len(mine) < 3:
        return mine in others
    return any(len(mine & other) / len(mine | other) >= 0.8 for other in others)


def twins_in_training(examples: list[Example], training: list[Example]) -> dict[str, int]:
    """How many held-out messages have a twin among the training examples: the same words, or
    nearly (`is_twin`). Short answers (« oui », « merci ») are bound to have one; a rise in the
    longer ones means training examples were written too close to the set."""
    known = [word_set(e.text) for e in training]
    exact = set(known)
    mine = [word_set(e.text) for e in examples]
    return {
        "same_words": sum(m in exact for m in mine),
        "near_twins": sum(len(m) >= 3 and is_twin(m, known) for m in mine),
    }


def evaluate(model: Path) -> dict[str, dict[str, Any]]:
    """Every held-out set through one model: {set name: scores}."""
    sets = {name: load_examples(path) for name, path in HELD_OUT_SETS.items()}
    training = load_examples(ROOT / "data/nlu.yml")
    texts = [e.text for examples in sets.values() for e in examples]
    predicted = asyncio.run(_predict(model, texts))
    results, start = {}, 0
    for name, examples in sets.items():
        results[name] = scores(examples, predicted[start : start + len(examples)])
        results[name]["twins_in_training"] = twins_in_training(examples, training)
        start += len(examples)
    return results


def print_scores(title: str, results: dict[str, dict[str, Any]]) -> None:
    print(f"\n{title}")
    for name, figures in results.items():
        hard = figures["hard_negatives_started"]
        print(
            f"  jeu {name:<8} ({figures['messages']} messages) : F1 macro "
            f"{figures['macro_f1']:.3f} ({figures['macro_f1_set_intents']:.3f} sur les seules "
            f"intentions du jeu, {figures['fallbacks']} repli(s)), "
            f"rappel des signalements {figures['report_recall']:.1%}, "
            f"faux départs {figures['false_starts']:.1%}"
            + (
                f", négatifs difficiles lancés {hard:.1%} sur {figures['hard_negatives']}"
                if hard is not None
                else ""
            )
        )
        twins = figures.get("twins_in_training")
        if twins:
            print(
                f"    jumeaux dans l'entraînement : {twins['same_words']} mêmes mots, "
                f"{twins['near_twins']} presque (3 mots ou plus)"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=ROOT / "models/vigilance.tar.gz")
    args = parser.parse_args()
    results = evaluate(args.model)
    print_scores(f"Modèle {args.model.name}", results)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
