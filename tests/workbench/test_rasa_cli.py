"""What the worker reads from Rasa's output: its progress and the lines that say what is wrong."""

import pytest

from api.training.rasa_cli import Progress, problems_in, read_progress


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "2026-11-27 INFO rasa.model_training - Starting training...",
            Progress("Préparation des données", 5),
        ),
        (
            "INFO Starting to train component 'LinearIntentClassifier'.",
            Progress("Apprentissage des intentions", 50),
        ),
        (
            "INFO rasa.engine.training.hooks - Starting to train component 'RulePolicy'.",
            Progress("Apprentissage des règles de dialogue", 80),
        ),
        (
            "INFO rasa.engine.training.hooks - Starting to train component 'SomethingNew'.",
            Progress("Entraînement en cours", -1),
        ),
        ("Epochs:  50%|█████     | 30/60", Progress("Entraînement du classifieur (DIET)", 50)),
        ("INFO rasa.core.agent - nothing to see", None),
    ],
)
def test_progress_is_read_from_rasa_output(line: str, expected: Progress | None) -> None:
    assert read_progress(line) == expected


def test_problems_keep_only_the_lines_that_explain_them_without_colours() -> None:
    output = (
        "\x1b[33mINFO loading\x1b[0m\n"
        "/x/rasa/shared/utils/io.py:99: UserWarning: Issue found in 'data/nlu.yml': intent 'x'\n"
        "/x/rasa/shared/utils/io.py:99: UserWarning: Issue found in 'data/nlu.yml': intent 'x'\n"
    )
    assert problems_in(output) == ["UserWarning: Issue found in 'data/nlu.yml': intent 'x'"]
    assert problems_in("") == ["Rasa a refusé les données sans donner de raison."]
