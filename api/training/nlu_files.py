"""The assistant's NLU files read and changed as Rasa YAML, the rest of each file kept as is.

Examples live in `examples: |` literal blocks as `- text` lines, entities marked `[value](entity)`
(rasa_yaml.py). ruamel.yaml's round trip keeps comments, order and layout; a file it would not
give back identical is refused rather than rewritten.
"""

import difflib
import hashlib
import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import LiteralScalarString

from api.core.errors import DomainError, InvalidInput
from api.core.text import fold
from api.training import example_text
from api.training.rasa_yaml import (
    Entity,
    Example,
    dump,
    entities_of,
    example_of_line,
    examples_in,
    intent_item,
    load,
    name_of,
    nlu_items,
    plain_text,
    safe_load,
)

DATA_DIR = "data"
DEFAULT_FILE = "data/nlu.yml"
DOMAIN_FILE = "domain.yml"
TEST_FILE = "tests/nlu_test.yml"
# Every held-out set (the second written blind): no training example may copy one of theirs.
HELD_OUT_FILES = (TEST_FILE, "tests/nlu_test_blind.yml")
EXAMPLE_MAX = 500


class NluError(InvalidInput):
    """An example or a change that cannot be written; the message is for the trainer."""

    code = "invalid_example"


class NluUnreadable(DomainError):
    """The training data cannot be read (a file missing or not YAML)."""

    code = "training_data_unreadable"


@dataclass(frozen=True)
class Change:
    """A file's content before and after one change, and the diff the trainer confirms."""

    path: str
    before: str
    after: str
    summary: str

    @property
    def diff(self) -> str:
        return "".join(
            difflib.unified_diff(
                self.before.splitlines(keepends=True),
                self.after.splitlines(keepends=True),
                fromfile=f"{self.path} (actuel)",
                tofile=f"{self.path} (modifié)",
            )
        )

    @property
    def base_digest(self) -> str:
        """Names the file's content the diff was computed on (a concurrent change shows)."""
        return hashlib.sha256(self.before.encode()).hexdigest()[:16]


class NluData:
    """What the training data holds now: its files, examples and the domain's names."""

    def __init__(self, assistant_dir: Path) -> None:
        self.root = assistant_dir
        self.files: dict[str, str] = {}
        for path in sorted((assistant_dir / DATA_DIR).glob("*.yml")):
            text = path.read_text(encoding="utf-8")
            if nlu_items(safe_load(text)) is not None:
                self.files[path.relative_to(assistant_dir).as_posix()] = text
        domain = safe_load((assistant_dir / DOMAIN_FILE).read_text(encoding="utf-8")) or {}
        self.intents = [name_of(item) for item in domain.get("intents", [])]
        self.entity_names = [name_of(item) for item in domain.get("entities", [])]
        self.examples = [
            example for path, text in self.files.items() for example in examples_in(path, text)
        ]
        self._folded = {fold(example.plain) for example in self.examples}
        self._held_out = {
            fold(e.plain)
            for name in HELD_OUT_FILES
            if (assistant_dir / name).is_file()
            for e in examples_in(name, (assistant_dir / name).read_text(encoding="utf-8"))
        }

    def knows(self, text: str) -> bool:
        """Already a training example (case, accents, punctuation and markup aside)."""
        return fold(plain_text(text)) in self._folded

    def of_intent(self, intent: str) -> list[Example]:
        return [example for example in self.examples if example.intent == intent]

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(self.intents, 0)
        for example in self.examples:
            counts[example.intent] = counts.get(example.intent, 0) + 1
        return counts

    def check_intent(self, intent: str) -> None:
        if intent not in self.intents:
            raise NluError(f"L'intention « {intent} » n'existe pas dans le domaine de l'assistant.")

    def line(self, text: str, entities: list[Entity]) -> str:
        """The example as Rasa writes it; NluError if it is empty, too long or ill-marked."""
        text = text.strip()
        if not text:
            raise NluError("L'exemple est vide : écrivez la phrase de l'utilisateur.")
        if len(text) > EXAMPLE_MAX:
            raise NluError(f"L'exemple est trop long : {EXAMPLE_MAX} caractères au plus.")
        if found := example_text.problem(text):
            raise NluError(found)
        marked = text
        for entity in sorted(entities, key=lambda e: e.start, reverse=True):
            if entity.name not in self.entity_names:
                raise NluError(f"L'entité « {entity.name} » n'existe pas dans le domaine.")
            if not 0 <= entity.start < entity.end <= len(text):
                raise NluError(
                    f"L'entité « {entity.name} » dépasse le texte du message "
                    f"(positions {entity.start} à {entity.end}, le texte en a {len(text)})."
                )
            value = text[entity.start : entity.end]
            if value != value.strip() or any(ch in value for ch in "[]()"):
                raise NluError(
                    f"La valeur « {value} » de l'entité « {entity.name} » doit commencer et "
                    "finir par un caractère visible, sans crochets ni parenthèses."
                )
            marked = f"{marked[: entity.start]}[{value}]({entity.name}){marked[entity.end :]}"
        spans = sorted(entities, key=lambda e: e.start)
        if any(a.end > b.start for a, b in itertools.pairwise(spans)):
            raise NluError("Deux entités se chevauchent : marquez des parties distinctes.")
        if plain_text(marked) != text or entities_of(marked) != spans:
            raise NluError(
                "Ce texte contient « ](» ou « ]{ » que Rasa lirait comme une entité : "
                "reformulez-le."
            )
        return marked

    def plan_add(self, *, intent: str, text: str, entities: list[Entity]) -> Change:
        """Append one example to its intent's block (or a new intent entry); nothing written."""
        self.check_intent(intent)
        line = self.line(text, entities)
        self._refuse_known(line)
        path = next((e.path for e in self.examples if e.intent == intent), DEFAULT_FILE)
        before = self._file(path)
        data = _checked_load(path, before)
        item = intent_item(data, intent)
        if item is None:
            items = data["nlu"]
            items.append(CommentedMap([("intent", intent), ("examples", LiteralScalarString(""))]))
            item = items[-1]
        block = str(item["examples"])
        if block and not block.endswith("\n"):
            block += "\n"
        item["examples"] = LiteralScalarString(f"{block}- {line}\n")
        summary = f"Exemple ajouté à « {intent} » : {line}"
        return Change(path=path, before=before, after=dump(data), summary=summary)

    def plan_edit(
        self, *, intent: str, old: str, text: str, entities: list[Entity] | None = None
    ) -> Change:
        """Replace one example of an intent by another text; nothing written."""
        self.check_intent(intent)
        current = next((e for e in self.of_intent(intent) if e.text == old), None)
        if current is None:
            raise NluError("Cet exemple n'existe plus : rechargez la page de l'intention.")
        line = self.line(text, entities if entities is not None else entities_of(text))
        if line == old:
            raise NluError("L'exemple n'a pas changé.")
        if fold(plain_text(line)) != fold(current.plain):
            self._refuse_known(line)
        before = self._file(current.path)
        data = _checked_load(current.path, before)
        item = intent_item(data, intent)
        assert item is not None  # the example was found in this file
        lines = str(item["examples"]).split("\n")
        index = next(i for i, raw in enumerate(lines) if example_of_line(raw) == old)
        lines[index] = lines[index][: lines[index].index("-")] + f"- {line}"
        item["examples"] = LiteralScalarString("\n".join(lines))
        summary = f"Exemple de « {intent} » modifié : {old} → {line}"
        return Change(path=current.path, before=before, after=dump(data), summary=summary)

    def _refuse_known(self, line: str) -> None:
        folded = fold(plain_text(line))
        if folded in self._folded:
            raise NluError("Cet exemple figure déjà dans les données d'entraînement.")
        if folded in self._held_out:
            raise NluError(
                "Cet exemple fait partie du jeu de test : l'entraîner fausserait l'évaluation."
            )

    def _file(self, path: str) -> str:
        if path in self.files:
            return self.files[path]
        full = self.root / path
        return full.read_text(encoding="utf-8") if full.exists() else 'version: "3.1"\n\nnlu:\n'


def _checked_load(path: str, text: str) -> Any:
    """The file as ruamel reads it, if writing it back unchanged gives the very same bytes."""
    try:
        data = load(text)
    except YAMLError:
        raise NluError(
            f"Le fichier {path} n'est pas du YAML valide : corrigez-le d'abord."
        ) from None
    if dump(data) != text:
        raise NluError(
            f"Le fichier {path} ne peut pas être réécrit sans changer sa mise en forme : "
            "modifiez-le à la main."
        )
    if not isinstance(data, CommentedMap):
        raise NluError(f"Le fichier {path} n'est pas un fichier de données Rasa.")
    if not isinstance(data.get("nlu"), CommentedSeq):
        data["nlu"] = CommentedSeq()
    return data


def read(assistant_dir: Path) -> NluData:
    """The training data as it is now; NluUnreadable when a file cannot be read."""
    try:
        return NluData(assistant_dir)
    except (OSError, YAMLError):
        raise NluUnreadable("Les données d'entraînement ne peuvent pas être lues.") from None
