"""Merging newly written examples into the training data (bench.nlu_merge)."""

from __future__ import annotations

from pathlib import Path

from bench.nlu_merge import chosen, merge
from rasa.shared.nlu.training_data.loading import load_data

DATA = """version: "3.1"

nlu:
- intent: greet
  examples: |
    - bonjour
    - salut

- intent: report_suspicious_reimbursement
  examples: |
    - [le kiné](provider) a compté deux séances

- synonym: kiné
  examples: |
    - kine
"""

HELD_OUT = """version: "3.1"
nlu:
- intent: report_suspicious_reimbursement
  examples: |
    - le taxi du trois mai n'a jamais roulé pour moi
"""

NEW = """version: "3.1"
nlu:
- intent: report_suspicious_reimbursement
  examples: |
    - Le kiné a compté deux séances !
    - le taxi du 3 mai n'a jamais roulé pour moi
    - [la pharmacie Ravel](provider) a facturé des boîtes jamais reçues
- intent: greet
  metadata:
    origin: helper
  examples: |
    - bien le bonjour
"""


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_new_examples_join_their_intent_and_twins_are_dropped(tmp_path: Path) -> None:
    data = _write(tmp_path, "nlu.yml", DATA)
    held_out = _write(tmp_path, "held_out.yml", HELD_OUT)
    keep, dropped = chosen([_write(tmp_path, "new.yml", NEW)], data, [held_out])
    assert keep == {
        "report_suspicious_reimbursement": [
            "[la pharmacie Ravel](provider) a facturé des boîtes jamais reçues"
        ],
        "greet": ["bien le bonjour"],
    }
    # Already there (the same words), and a near twin of a held-out message (4 in 5 words).
    assert dropped == {"déjà là": 1, "jumeau d'un message réservé": 1}

    merge(data, keep)
    merged = load_data(str(data))
    by_intent = {
        intent: [m.get("text") for m in merged.intent_examples if m.get("intent") == intent]
        for intent in ("greet", "report_suspicious_reimbursement")
    }
    assert by_intent["greet"] == ["bonjour", "salut", "bien le bonjour"]
    assert by_intent["report_suspicious_reimbursement"][-1] == (
        "la pharmacie Ravel a facturé des boîtes jamais reçues"
    )
    assert merged.entity_synonyms == {"kine": "kiné"}  # the rest of the file is untouched
    assert data.read_text(encoding="utf-8").count("- synonym: kiné") == 1


def test_a_secret_in_a_new_example_is_stored_masked(tmp_path: Path) -> None:
    data = _write(tmp_path, "nlu.yml", DATA + "\n- intent: share_sensitive_data\n  examples: |\n"
                  "    - voici mon iban [IBAN masqué]\n")  # fmt: skip
    new = _write(
        tmp_path,
        "new.yml",
        'version: "3.1"\nnlu:\n- intent: share_sensitive_data\n  examples: |\n'
        "    - ma cb 4970 1012 3456 7893 merci\n",
    )
    keep, _dropped = chosen([new], data, [])
    assert keep == {"share_sensitive_data": ["ma cb [numéro de carte masqué] merci"]}
