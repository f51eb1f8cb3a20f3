"""Writing examples into Rasa's YAML: valid files, one line changed, the rest byte for byte."""

from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from api.core.config import Settings
from api.training import editing, rasa_cli
from api.training.nlu_files import NluData, NluError, _checked_load
from api.training.rasa_yaml import Entity, dump
from tests.workbench.support import ROOT, copy_assistant

COMMENTED = """\
version: "3.1"

# Greetings first: they are the most frequent messages.
nlu:
- intent: greet
  examples: |
    - bonjour
    - salut  # not a comment: part of the example
  # between two intents

- intent: goodbye   # a comment after a key
  examples: |
    - au revoir
- regex: care_date
  examples: |
    - \\d{2}/\\d{2}
"""
DOMAIN = """\
version: "3.1"
intents:
  - greet
  - goodbye
  - thank
entities:
  - provider
"""


def safe_load(text: str) -> Any:
    return YAML(typ="safe", pure=True).load(text)


@pytest.fixture
def small(tmp_path: Path) -> Path:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "nlu.yml").write_text(COMMENTED, encoding="utf-8")
    (tmp_path / "domain.yml").write_text(DOMAIN, encoding="utf-8")
    return tmp_path


def added_lines(diff: str) -> list[str]:
    return [line for line in diff.splitlines() if line.startswith(("+", "-"))][2:]


def test_an_unchanged_round_trip_gives_the_same_bytes(tmp_path: Path, small: Path) -> None:
    files = [*NluData(small).files.items(), *NluData(copy_assistant(tmp_path / "a")).files.items()]
    assert len(files) == 1 + len(NluData(ROOT).files)
    for path, text in files:
        assert dump(_checked_load(path, text)) == text


def test_an_example_is_appended_to_its_intent_and_nothing_else_changes(small: Path) -> None:
    change = NluData(small).plan_add(
        intent="greet", text="Bonsoir Dr Martin", entities=[Entity("provider", 8, 17)]
    )
    assert added_lines(change.diff) == ["+    - Bonsoir [Dr Martin](provider)"]
    before, after = change.before.splitlines(), change.after.splitlines()
    index = after.index("    - Bonsoir [Dr Martin](provider)")
    assert after[:index] + after[index + 1 :] == before
    assert "# between two intents" in change.after and "# a comment after a key" in change.after
    data = safe_load(change.after)
    assert data["nlu"][0]["examples"].splitlines()[-1] == "- Bonsoir [Dr Martin](provider)"


def test_an_intent_missing_from_the_file_gets_its_own_entry(small: Path) -> None:
    change = NluData(small).plan_add(intent="thank", text="merci bien", entities=[])
    assert change.after.startswith(change.before)
    assert (
        change.after[len(change.before) :] == "- intent: thank\n  examples: |\n    - merci bien\n"
    )
    assert safe_load(change.after)["nlu"][-1] == {"intent": "thank", "examples": "- merci bien\n"}


def test_an_example_is_edited_in_place(small: Path) -> None:
    change = NluData(small).plan_edit(intent="goodbye", old="au revoir", text="au revoir et merci")
    assert added_lines(change.diff) == ["-    - au revoir", "+    - au revoir et merci"]


def test_the_real_training_data_takes_an_example(tmp_path: Path) -> None:
    nlu = NluData(copy_assistant(tmp_path))
    change = nlu.plan_add(
        intent="ask_phishing", text="ce courriel de la sécu est il un piège zorglub", entities=[]
    )
    assert added_lines(change.diff) == ["+    - ce courriel de la sécu est il un piège zorglub"]
    items = safe_load(change.after)["nlu"]
    examples = next(item for item in items if item.get("intent") == "ask_phishing")["examples"]
    assert "- ce courriel de la sécu est il un piège zorglub" in examples.splitlines()


@pytest.mark.parametrize(
    ("intent", "text", "entities", "message"),
    [
        ("greet", "   ", [], "L'exemple est vide"),
        ("greet", "", [], "L'exemple est vide"),
        ("inconnue", "bonjour à vous", [], "L'intention « inconnue » n'existe pas"),
        ("greet", "salut Martin", [Entity("provider", 6, 40)], "dépasse le texte"),
        ("greet", "salut Martin", [Entity("provider", -1, 3)], "dépasse le texte"),
        ("greet", "salut Martin", [Entity("care_date", 6, 12)], "n'existe pas dans le domaine"),
        ("greet", "salut Martin", [Entity("provider", 5, 12)], "caractère visible"),
        ("greet", "BONJOUR !", [], "figure déjà"),
        ("greet", "salut  # not a comment: part of the example", [], "figure déjà"),
        ("greet", "salut [x](provider) toi", [], "que Rasa lirait comme une entité"),
        ("greet", "une ligne\nune autre", [], "une seule ligne"),
        ("greet", "a" * 501, [], "trop long"),
    ],
)
def test_bad_examples_are_refused_in_french(
    small: Path, intent: str, text: str, entities: list[Entity], message: str
) -> None:
    with pytest.raises(NluError) as refused:
        NluData(small).plan_add(intent=intent, text=text, entities=entities)
    assert message in refused.value.message


def test_overlapping_entities_are_refused(small: Path) -> None:
    entities = [Entity("provider", 0, 5), Entity("provider", 3, 9)]
    with pytest.raises(NluError, match="chevauchent"):
        NluData(small).plan_add(intent="greet", text="Martin Dupont", entities=entities)


def test_an_example_of_the_held_out_set_is_refused(tmp_path: Path) -> None:
    nlu = NluData(copy_assistant(tmp_path))
    with pytest.raises(NluError, match="jeu de test"):
        nlu.plan_add(intent="report_suspicious_reimbursement", text="alerte fraude", entities=[])


def test_an_example_of_the_second_held_out_set_is_refused(tmp_path: Path) -> None:
    assistant = copy_assistant(tmp_path)
    (assistant / "tests" / "nlu_test_blind.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: deny\n  metadata:\n    hard_negative: true\n'
        "  examples: |\n    - ornithorynque jamais vu\n",
        encoding="utf-8",
    )
    with pytest.raises(NluError, match="jeu de test"):
        NluData(assistant).plan_add(intent="deny", text="Ornithorynque, jamais vu !", entities=[])


def test_a_file_that_would_change_layout_is_not_rewritten(small: Path) -> None:
    path = small / "data" / "nlu.yml"
    path.write_text(COMMENTED.replace("- intent: greet", "- intent:   greet"), encoding="utf-8")
    with pytest.raises(NluError, match="mise en forme"):
        NluData(small).plan_add(intent="greet", text="coucou toi", entities=[])


def test_a_refused_validation_writes_nothing(
    small: Path, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    local = settings.model_copy(update={"assistant_dir": small, "training_dir": tmp_path / "t"})
    (small / "config.yml").write_text("language: fr\n", encoding="utf-8")
    path = small / "data" / "nlu.yml"
    change = NluData(small).plan_add(intent="greet", text="coucou toi", entities=[])
    monkeypatch.setattr(
        rasa_cli, "validate", lambda *_: rasa_cli.Validation(ok=False, problems=["refusé"])
    )
    with pytest.raises(editing.ValidationFailed):
        editing.save(local, change, seen_digest=change.base_digest)
    assert path.read_text(encoding="utf-8") == COMMENTED
    monkeypatch.setattr(rasa_cli, "validate", lambda *_: rasa_cli.Validation(ok=True, problems=[]))
    with pytest.raises(editing.DataChanged, match="ont changé"):
        editing.save(local, change, seen_digest="autre")
    editing.save(local, change, seen_digest=change.base_digest)
    assert path.read_text(encoding="utf-8") == change.after
    assert [p.name for p in path.parent.iterdir()] == ["nlu.yml"]  # no staging file left
