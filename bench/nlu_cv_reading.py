"""Choose the contextual reading's thresholds on the training data alone (bot environment).

    PYTHONPATH=. .venv-bot/bin/python -m bench.nlu_cv_reading [--folds 5]

Stratified cross-validation of the whole understanding of an opening message: the intent
classifier with config.yml's settings, then `bot.components.reading.reread` (no question
pending, as for a first message), then the fallback. For each set of thresholds: macro-F1,
report recall and false starts, over all the folds. The held-out
sets are never read here.
"""

from __future__ import annotations

import argparse
import functools
import itertools
import statistics
from typing import Any

import numpy as np
import yaml
from scipy.sparse import csr_matrix, hstack
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold

from bench.nlu_cv import training_examples
from bot.components import reading
from bot.components.features import TextFeatures
from bot.components.reading import REPORT, ReadingSettings, reread

RUNNER_UP = [1.01, 0.3, 0.2, 0.1]  # 1.01: never (the classifier alone)
BESIDE = [1.01, 0.25, 0.1, 0.0]  # a question first, a report this likely, care not as billed
NAMED = [1.01, 0.3, 0.2, 0.1]  # any other reading first, a report this likely, care not as billed
ERRAND = [1.01, 0.0]  # a report first that asks for something else, that this likely
POOLED = [0.0, 1.0]  # what the words decide: the first reading's plus this share of its own
FALLBACK = [0.15, 0.2, 0.25, 0.3, 0.35, 0.4]  # FallbackClassifier's threshold
# Macro-F1 this close to the best is a tie: a difference of one or two messages in nine thousand.
F1_TIE = 0.001
WIDTHS = (10, 8, 7, 7, 7, 7)  # the columns of the printed settings


def classifier_settings() -> dict[str, Any]:
    """The classifier's settings, as config.yml has them."""
    with open("config.yml", encoding="utf-8") as file:
        pipeline = yaml.safe_load(file)["pipeline"]
    found: dict[str, Any] = next(c for c in pipeline if c["name"].endswith("IntentClassifier"))
    return found


def fold_rankings(folds: int) -> tuple[list[str], list[str], list[list[dict[str, Any]]]]:
    """Each example's text, intent and ranking from a model that never saw it."""
    texts, labels, dense = training_examples()
    settings = classifier_settings()
    rankings: list[list[dict[str, Any]]] = [[] for _ in texts]
    splitter = StratifiedKFold(folds, shuffle=True, random_state=0)
    for train, test in splitter.split(texts, labels):
        features = TextFeatures(
            int(settings.get("max_char_ngram", 5)),
            negation_scope=bool(settings.get("negation_scope", True)),
            spelling=bool(settings.get("spelling", True)),
            courtesy=bool(settings.get("courtesy", True)),
        ).fit([texts[i] for i in train])
        weight = float(settings.get("dense_weight", 0.5))
        train_x, test_x = (
            hstack([features.transform([texts[i] for i in part]), csr_matrix(dense[part] * weight)])
            for part in (train, test)
        )
        model = LogisticRegression(C=float(settings.get("C", 20)), max_iter=2000,
                                   class_weight="balanced")  # fmt: skip
        model.fit(train_x.tocsr(), labels[train])
        for i, row in zip(test, model.predict_proba(test_x.tocsr()), strict=True):
            order = np.argsort(-row)[:10]
            rankings[i] = [{"name": str(model.classes_[j]), "confidence": float(row[j])}
                           for j in order]  # fmt: skip
        print("pli terminé", flush=True)
    return texts, list(labels), rankings


def score(truth: list[str], predicted: list[str]) -> tuple[float, float, float]:
    reports = [p for t, p in zip(truth, predicted, strict=True) if t == REPORT]
    others = [p for t, p in zip(truth, predicted, strict=True) if t != REPORT]
    return (
        float(f1_score(truth, predicted, average="macro", zero_division=0)),
        sum(p == REPORT for p in reports) / len(reports),
        sum(p == REPORT for p in others) / len(others),
    )


def cache_the_cues() -> None:
    """The cues read the text alone: each is computed once per text, not once per setting."""
    for name in ("names_care_not_as_billed", "quoted_errand", "told_errand"):
        setattr(reading, name, functools.cache(getattr(reading, name)))


Row = tuple[tuple[float, ...], float, float, float]  # settings, macro-F1, recall, false starts


def grid_scores(
    texts: list[str], truth: list[str], rankings: list[list[dict[str, Any]]]
) -> list[Row]:
    """Every set of thresholds with its figures over all the folds."""
    rows: list[Row] = []
    for runner_up, beside, named, errand, pooled in itertools.product(
        RUNNER_UP, BESIDE, NAMED, ERRAND, POOLED
    ):
        settings = ReadingSettings(runner_up, beside, named, errand, pooled)
        firsts = [
            reread(text, ranking, pending=False, settings=settings)[0]
            for text, ranking in zip(texts, rankings, strict=True)
        ]
        for fallback in FALLBACK:
            predicted = [
                "nlu_fallback" if first["confidence"] < fallback else first["name"]
                for first in firsts
            ]
            rows.append(
                ((runner_up, beside, named, errand, pooled, fallback), *score(truth, predicted))
            )
    return rows


def chosen(rows: list[Row]) -> Row:
    """The best macro-F1, within `F1_TIE` counting as a tie; ties broken by report recall, then
    by fewer false starts."""
    best = max(row[1] for row in rows)
    tied = [row for row in rows if row[1] >= best - F1_TIE]
    return max(tied, key=lambda row: (row[2], -row[3]))


def print_row(row: Row) -> None:
    settings, f1, recall, false_starts = row
    columns = "".join(f"{value:<{width}g}" for value, width in zip(settings, WIDTHS, strict=True))
    print(f"{columns}{f1:.4f}    {recall:.1%}                {false_starts:.2%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    cache_the_cues()
    texts, truth, rankings = fold_rankings(args.folds)
    rows = grid_scores(texts, truth, rankings)
    print("2e place  à côté  nommé  autre  commun  repli  F1 macro  rappel signalements"
          "  faux départs")  # fmt: skip
    for row in rows:
        print_row(row)
    print(f"({statistics.mean(len(t) for t in texts):.0f} caractères par message en moyenne)")
    print("Réglage choisi (F1 macro à 0,001 près, puis rappel, puis moins de faux départs) :")
    print_row(chosen(rows))


if __name__ == "__main__":
    main()
