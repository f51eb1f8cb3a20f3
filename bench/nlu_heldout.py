"""Understanding measured on the held-out sets (bot environment), for `make bench`.

    PYTHONPATH=. .venv-bot/bin/python -m bench.nlu_heldout [--model models/x.tar.gz]

Two held-out sets, never trained on and never read by whoever writes training examples:
`tests/nlu_test.yml` and `tests/nlu_test_blind.yml` (written blind, from the issue's classes
and the intents' definitions only; its blocks marked `hard_negative` are messages close to a
report that are not one). Each message is parsed as the opening message of a conversation, as
`/model/parse` does: what the assistant would do if a person started with it.

Per set: intent macro-F1 (as Rasa's report computes it: an `nlu_fallback` counts as a class),
report recall, false starts (other messages read as a report) and hard negatives started. Only
figures are printed, never the messages: the sets stay held out.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from sklearn.metrics import f1_score

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


def _plain(line: str) -> str:
    """An example line without Rasa's entity markup: « [Dr X](provider) » → « Dr X »."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", line)
    return re.sub(r"\[([^\]]*)\]\{[^}]*\}", r"\1", text)


def load_examples(path: Path) -> list[Example]:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    examples = []
    for block in document.get("nlu", []):
        if "intent" not in block:
            continue
        hard = bool((block.get("metadata") or {}).get("hard_negative"))
        for line in str(block.get("examples", "")).splitlines():
            line = line.strip()
            if line.startswith("- "):
                examples.append(Example(_plain(line[2:].strip()), block["intent"], hard))
    return examples


def scores(examples: list[Example], predicted: list[str]) -> dict[str, Any]:
    truth = [e.intent for e in examples]
    reports = [p for e, p in zip(examples, predicted, strict=True) if e.intent == REPORT]
    others = [p for e, p in zip(examples, predicted, strict=True) if e.intent != REPORT]
    hard = [p for e, p in zip(examples, predicted, strict=True) if e.hard_negative]
    return {
        "messages": len(examples),
        "macro_f1": float(f1_score(truth, predicted, average="macro", zero_division=0)),
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


def evaluate(model: Path) -> dict[str, dict[str, Any]]:
    """Every held-out set through one model: {set name: scores}."""
    sets = {name: load_examples(path) for name, path in HELD_OUT_SETS.items()}
    texts = [e.text for examples in sets.values() for e in examples]
    predicted = asyncio.run(_predict(model, texts))
    results, start = {}, 0
    for name, examples in sets.items():
        results[name] = scores(examples, predicted[start : start + len(examples)])
        start += len(examples)
    return results


def print_scores(title: str, results: dict[str, dict[str, Any]]) -> None:
    print(f"\n{title}")
    for name, figures in results.items():
        hard = figures["hard_negatives_started"]
        print(
            f"  jeu {name:<8} ({figures['messages']} messages) : F1 macro "
            f"{figures['macro_f1']:.3f}, rappel des signalements {figures['report_recall']:.1%}, "
            f"faux départs {figures['false_starts']:.1%}"
            + (
                f", négatifs difficiles lancés {hard:.1%} sur {figures['hard_negatives']}"
                if hard is not None
                else ""
            )
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
