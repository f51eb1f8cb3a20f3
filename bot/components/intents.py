"""NLU component: a linear intent classifier that trains in seconds on two cores.

Word and character n-grams of the folded text (case, accents and apostrophes do not matter, so
typos and SMS spelling still share most of their n-grams with the examples), plus the sentence
vector of the pipeline's dense featurizer (spaCy's word vectors: synonyms the examples never
used), feed a logistic regression. On the held-out set it beats DIET on this data and trains
about fifty times faster, which is what lets trainers retrain from their workbench in a minute.

The model is stored as JSON and NumPy arrays, never pickled: loading a model file runs no code.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from bot.text import words

_ARRAYS = "arrays.npz"
_VOCABULARIES = "vocabularies.json"


def _word_vectorizer() -> TfidfVectorizer:
    return TfidfVectorizer(
        preprocessor=words,
        token_pattern=r"\S+",  # noqa: S106 - a regular expression, not a password
        ngram_range=(1, 2),
        sublinear_tf=True,
    )


def _char_vectorizer(max_ngram: int) -> TfidfVectorizer:
    return TfidfVectorizer(
        preprocessor=words,
        analyzer="char_wb",
        ngram_range=(2, max_ngram),
        sublinear_tf=True,
        min_df=2,
    )


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class LinearIntentClassifier(IntentClassifier, GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            # Inverse regularisation strength of the logistic regression.
            "C": 20.0,
            # Weight of the (L2-normalised) sentence vector beside the n-gram features; 0 = off.
            "dense_weight": 0.5,
            "max_char_ngram": 5,
            "max_iter": 2000,
            # Intents listed in the ranking returned with each message.
            "ranking_length": 10,
        }

    def __init__(
        self, config: dict[str, Any], model_storage: ModelStorage, resource: Resource
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        # Set by train() or load(); None until then.
        self.word: TfidfVectorizer | None = None
        self.char: TfidfVectorizer | None = None
        self.classifier: LogisticRegression | None = None

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LinearIntentClassifier:
        return cls(config, model_storage, resource)

    # --- features ----------------------------------------------------------------------------

    def _dense(self, messages: list[Message]) -> csr_matrix | None:
        weight = float(self.config["dense_weight"])
        if weight <= 0:
            return None
        rows = []
        for message in messages:
            _sequence, sentence = message.get_dense_features(TEXT)
            if sentence is None:
                return None  # no dense featurizer in the pipeline
            rows.append(np.asarray(sentence.features, dtype=np.float64).reshape(-1))
        matrix = np.vstack(rows)
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return csr_matrix(matrix / norms * weight)

    def _features(self, messages: list[Message], texts: list[str]) -> csr_matrix:
        assert self.word is not None and self.char is not None
        parts = [self.word.transform(texts), self.char.transform(texts)]
        dense = self._dense(messages)
        if dense is not None:
            parts.append(dense)
        return hstack(parts).tocsr()

    # --- training ----------------------------------------------------------------------------

    def train(self, training_data: TrainingData) -> Resource:
        examples = [m for m in training_data.intent_examples if m.get(TEXT) and m.get(INTENT)]
        labels = sorted({m.get(INTENT) for m in examples})
        if len(labels) < 2:
            return self._resource  # nothing to tell apart: the component stays untrained
        texts = [m.get(TEXT) for m in examples]
        self.word = _word_vectorizer().fit(texts)
        self.char = _char_vectorizer(int(self.config["max_char_ngram"])).fit(texts)
        self.classifier = LogisticRegression(
            C=float(self.config["C"]),
            max_iter=int(self.config["max_iter"]),
            class_weight="balanced",
        )
        self.classifier.fit(self._features(examples, texts), [m.get(INTENT) for m in examples])
        self.persist()
        return self._resource

    # --- prediction --------------------------------------------------------------------------

    def process(self, messages: list[Message]) -> list[Message]:
        to_classify = [m for m in messages if m.get(TEXT)]
        if self.classifier is None or not to_classify:
            return messages
        texts = [m.get(TEXT) for m in to_classify]
        probabilities = self.classifier.predict_proba(self._features(to_classify, texts))
        names = [str(name) for name in self.classifier.classes_]
        length = int(self.config["ranking_length"])
        for message, row in zip(to_classify, probabilities, strict=True):
            order = np.argsort(-row)
            ranking = [{"name": names[i], "confidence": float(row[i])} for i in order]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking[:length] if length else ranking, True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    # --- storage -----------------------------------------------------------------------------

    def persist(self) -> None:
        assert self.word is not None and self.char is not None and self.classifier is not None
        with self._model_storage.write_to(self._resource) as folder:
            vocabularies = {
                "word": {term: int(i) for term, i in self.word.vocabulary_.items()},
                "char": {term: int(i) for term, i in self.char.vocabulary_.items()},
                "classes": [str(name) for name in self.classifier.classes_],
            }
            (folder / _VOCABULARIES).write_text(json.dumps(vocabularies), encoding="utf-8")
            np.savez(
                folder / _ARRAYS,
                word_idf=self.word.idf_,
                char_idf=self.char.idf_,
                coef=self.classifier.coef_,
                intercept=self.classifier.intercept_,
            )

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LinearIntentClassifier:
        component = cls(config, model_storage, resource)
        try:
            with model_storage.read_from(resource) as folder:
                vocabularies = json.loads((folder / _VOCABULARIES).read_text(encoding="utf-8"))
                with np.load(folder / _ARRAYS, allow_pickle=False) as arrays:
                    stored = {name: arrays[name] for name in arrays.files}
        except (ValueError, FileNotFoundError):
            return component  # trained without intents: nothing stored
        component.word = _word_vectorizer()
        component.word.vocabulary_ = vocabularies["word"]
        component.word.idf_ = stored["word_idf"]
        component.char = _char_vectorizer(int(component.config["max_char_ngram"]))
        component.char.vocabulary_ = vocabularies["char"]
        component.char.idf_ = stored["char_idf"]
        classifier = LogisticRegression()
        classifier.classes_ = np.array(vocabularies["classes"])
        classifier.coef_ = stored["coef"]
        classifier.intercept_ = stored["intercept"]
        component.classifier = classifier
        return component
