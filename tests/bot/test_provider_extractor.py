"""The provider's CRF stored as its weights: it finds what Rasa's own CRF finds, and the model
holds no training data."""

from __future__ import annotations

import tarfile
from pathlib import Path
from typing import Any

import pytest
from bot.components.providers import ProviderExtractor
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.extractors.crf_entity_extractor import CRFEntityExtractor
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import (
    CountVectorsFeaturizer,
)
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from tests.bot.stack import MODEL

EXAMPLES = """
version: "3.1"
nlu:
- intent: report_suspicious_reimbursement
  examples: |
    - [le docteur Martin](provider) a facturé une séance que je n'ai pas eue
    - [la pharmacie Ravel](provider) m'a compté des boîtes jamais reçues
    - [mon kiné](provider) a compté deux séances le même jour
    - je ne connais pas [le docteur Petit](provider)
    - un acte de [Mme Durand](provider) que je n'ai jamais eu
    - [le taxi Dupuis](provider) a facturé un transport fictif
- intent: greet
  examples: |
    - bonjour
    - bonsoir madame
"""
UNSEEN = [
    "le docteur Morel a facturé une séance que je n'ai pas eue",
    "la pharmacie Ravel m'a compté des boîtes",
    "bonjour",
]


def _context() -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), "test")


def _featurised(storage: LocalModelStorage, data: TrainingData) -> Any:
    """Whitespace tokens and count vectors: what the CRF needs to be trained at all."""
    tokenizer = WhitespaceTokenizer.create(
        WhitespaceTokenizer.get_default_config(), storage, Resource("tokens"), _context()
    )
    tokenizer.process_training_data(data)
    featurizer = CountVectorsFeaturizer.create(
        CountVectorsFeaturizer.get_default_config(), storage, Resource("counts"), _context()
    )
    featurizer.train(data)
    featurizer.process_training_data(data)

    def prepare(text: str) -> Message:
        message = Message(data={TEXT: text})
        tokenizer.process([message])
        featurizer.process([message])
        return message

    return prepare


def _providers(extractor: CRFEntityExtractor, message: Message) -> list[tuple[str, int, int]]:
    extractor.process([message])
    found = [(e["value"], e["start"], e["end"]) for e in message.get(ENTITIES, [])]
    message.set(ENTITIES, [])
    return found


@pytest.fixture
def storage(tmp_path: Path) -> LocalModelStorage:
    return LocalModelStorage(tmp_path)


def test_the_stored_weights_find_what_rasas_crf_finds(storage: LocalModelStorage) -> None:
    data = TrainingData(RasaYAMLReader().reads(EXAMPLES).training_examples)
    prepare = _featurised(storage, data)
    config = CRFEntityExtractor.get_default_config()
    rasas = CRFEntityExtractor.create(config, storage, Resource("rasa-crf"), _context())
    rasas.train(data)
    ProviderExtractor.create(config, storage, Resource("ours"), _context()).train(data)
    loaded = ProviderExtractor.load(config, storage, Resource("ours"), _context())

    found = {text: _providers(loaded, prepare(text)) for text in UNSEEN}
    assert found == {text: _providers(rasas, prepare(text)) for text in UNSEEN}
    assert found["la pharmacie Ravel m'a compté des boîtes"]  # it did learn something
    assert found["bonjour"] == []
    stored = {p.name for p in Path(storage._storage_path, "ours").iterdir()}
    assert stored == {"crf_order.json", "entity.crfsuite"}  # weights, no training data


def test_trained_without_any_entity_it_finds_none(storage: LocalModelStorage) -> None:
    data = TrainingData([Message(data={TEXT: "bonjour", "intent": "greet"})])
    config = CRFEntityExtractor.get_default_config()
    ProviderExtractor.create(config, storage, Resource("empty"), _context()).train(data)
    loaded = ProviderExtractor.load(config, storage, Resource("empty"), _context())
    assert loaded.entity_taggers is None
    assert _providers(loaded, Message(data={TEXT: "le docteur Martin"})) == []


def test_the_assistants_model_holds_no_training_data() -> None:
    if not MODEL.exists():
        pytest.fail("No trained model: run `make train` (make test does it).")
    with tarfile.open(MODEL) as archive:
        names = archive.getnames()
    assert not any(name.endswith("crf_dataset.json") for name in names)
    assert any(name.endswith("entity.crfsuite") for name in names)
