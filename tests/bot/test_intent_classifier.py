"""The linear intent classifier: it learns, survives being stored and loaded, and ranks."""

from __future__ import annotations

from pathlib import Path

import pytest
from bot.components.features import TextFeatures
from bot.components.intents import LinearIntentClassifier
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import hstack

EXAMPLES = {
    "report_suspicious_reimbursement": [
        "je veux signaler un remboursement suspect",
        "un acte que je n'ai pas eu apparaît sur mon compte",
        "le dentiste a facturé une couronne que je n'ai jamais eue",
        "on m'a facturé deux fois la même séance",
    ],
    "ask_phishing": [
        "ce mail est une arnaque ?",
        "est-ce un courriel de phishing",
        "le message information de paiement est-il officiel",
        "j'ai peur que ce soit un faux mail",
    ],
    "greet": ["bonjour", "salut", "bonsoir", "coucou"],
}


def _training_data() -> TrainingData:
    return TrainingData(
        [
            Message(data={TEXT: text, INTENT: intent})
            for intent, texts in EXAMPLES.items()
            for text in texts
        ]
    )


def _classify(component: LinearIntentClassifier, text: str) -> Message:
    message = Message(data={TEXT: text})
    component.process([message])
    return message


@pytest.fixture
def storage(tmp_path: Path) -> LocalModelStorage:
    return LocalModelStorage(tmp_path)


def _context() -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), "test")


def test_it_learns_typos_and_missing_accents(storage: LocalModelStorage) -> None:
    resource = Resource("intents")
    component = LinearIntentClassifier.create({}, storage, resource, _context())
    component.train(_training_data())

    assert _classify(component, "Signaler un rembourssement suspec").get(INTENT)["name"] == (
        "report_suspicious_reimbursement"
    )
    assert _classify(component, "ce mail c'est une ARNAQUE").get(INTENT)["name"] == "ask_phishing"
    assert _classify(component, "Bonjour !").get(INTENT)["name"] == "greet"


def test_the_stored_model_answers_exactly_as_the_trained_one(storage: LocalModelStorage) -> None:
    resource = Resource("intents")
    trained = LinearIntentClassifier.create({"ranking_length": 2}, storage, resource, _context())
    trained.train(_training_data())
    loaded = LinearIntentClassifier.load({"ranking_length": 2}, storage, resource, _context())

    for text in ("le kiné a compté 20 séances au lieu de 12", "salut", "phishing ?"):
        before, after = _classify(trained, text), _classify(loaded, text)
        assert after.get(INTENT) == before.get(INTENT)
        assert after.get(INTENT_RANKING_KEY) == before.get(INTENT_RANKING_KEY)
        assert len(after.get(INTENT_RANKING_KEY)) == 2
        ranking = after.get(INTENT_RANKING_KEY)
        assert ranking[0]["confidence"] >= ranking[1]["confidence"]
    assert not any(p.suffix == ".pkl" for p in Path(storage._storage_path).rglob("*"))


def test_with_a_single_intent_nothing_is_trained_and_messages_pass_through(
    storage: LocalModelStorage,
) -> None:
    resource = Resource("intents")
    component = LinearIntentClassifier.create({}, storage, resource, _context())
    component.train(TrainingData([Message(data={TEXT: "bonjour", INTENT: "greet"})]))
    loaded = LinearIntentClassifier.load({}, storage, resource, _context())

    assert _classify(loaded, "bonjour").get(INTENT) is None


def test_probabilities_are_scikit_learns_without_its_checks(storage: LocalModelStorage) -> None:
    component = LinearIntentClassifier.create({}, storage, Resource("intents"), _context())
    component.train(_training_data())
    assert component.classifier is not None and component.text_features is not None
    texts = ["le kiné a compté 20 séances au lieu de 12", "salut", "phishing ?", "", "😀"]
    features = component.text_features.transform(texts)
    ours = component._probabilities(features)
    assert ours == pytest.approx(component.classifier.predict_proba(features), abs=1e-12)


def test_features_are_scikit_learns_tf_idf() -> None:
    texts = [text for examples in EXAMPLES.values() for text in examples]
    features = TextFeatures(5, negation_scope=True, spelling=True).fit(texts)
    probe = ["on m'a pas fait la séance", "Bonjour !", "", "rembourssement suspec 😀"]
    folded = features.folded(features._cores(probe))
    assert features.negation is not None
    stock = hstack(
        [
            features.word.transform(folded),
            features.char.transform(features._cores(probe)),
            features.negation.transform(folded),
        ]
    )
    assert abs(features.transform(probe) - stock).max() < 1e-12
