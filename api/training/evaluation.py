"""A new model against the model in service, from what `rasa test nlu` wrote for each."""

import json
from collections import Counter
from pathlib import Path
from typing import Any

REPORT = "intent_report.json"
SUCCESSES = "intent_successes.json"
ERRORS = "intent_errors.json"
MATRIX_PNG = "intent_confusion_matrix.png"
_SUMMARY_KEYS = ("accuracy", "macro avg", "weighted avg", "micro avg")


def _read(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def _scores(report: Any) -> dict[str, dict[str, float]]:
    if not isinstance(report, dict):
        return {}
    return {
        intent: {
            "precision": float(values.get("precision", 0.0)),
            "recall": float(values.get("recall", 0.0)),
            "f1": float(values.get("f1-score", 0.0)),
            "support": float(values.get("support", 0)),
        }
        for intent, values in report.items()
        if intent not in _SUMMARY_KEYS and isinstance(values, dict)
    }


def _predictions(folder: Path) -> dict[str, tuple[str, str]]:
    """text → (expected intent, predicted intent)."""
    found: dict[str, tuple[str, str]] = {}
    for name in (SUCCESSES, ERRORS):
        for item in _read(folder / name) or []:
            prediction = item.get("intent_prediction") or {}
            found[str(item.get("text"))] = (str(item.get("intent")), str(prediction.get("name")))
    return found


def _accuracy(predictions: dict[str, tuple[str, str]]) -> float:
    if not predictions:
        return 0.0
    return sum(a == b for a, b in predictions.values()) / len(predictions)


def compare(*, new_dir: Path, serving_dir: Path | None) -> dict[str, Any]:
    """Per-intent scores of both models, the new one's confusion matrix, changed predictions."""
    new_scores = _scores(_read(new_dir / REPORT))
    old_scores = _scores(_read(serving_dir / REPORT)) if serving_dir else {}
    new_predictions = _predictions(new_dir)
    old_predictions = _predictions(serving_dir) if serving_dir else {}
    labels = sorted({label for pair in new_predictions.values() for label in pair})
    counts = Counter(new_predictions.values())
    changed = [
        {"text": text, "expected": expected, "before": old_predictions[text][1], "after": after}
        for text, (expected, after) in sorted(new_predictions.items())
        if text in old_predictions and old_predictions[text][1] != after
    ]
    return {
        "intents": [
            {"intent": intent, "new": new_scores[intent], "old": old_scores.get(intent)}
            for intent in sorted(new_scores)
        ],
        "accuracy": {
            "new": _accuracy(new_predictions),
            "old": _accuracy(old_predictions) if old_predictions else None,
        },
        "matrix": {
            "labels": labels,
            "rows": [[counts[(expected, got)] for got in labels] for expected in labels],
        },
        "changed": changed,
        "matrix_png": str(new_dir / MATRIX_PNG) if (new_dir / MATRIX_PNG).is_file() else None,
        "test_size": len(new_predictions),
    }
