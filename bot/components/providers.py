"""NLU component: the provider named in a message, kept as the trained model itself.

Rasa 3.6's `CRFEntityExtractor` stores its training data (every example, each token with its
300 spaCy vector values, as JSON text) and trains the CRF again each time a model is loaded:
with this assistant's examples that is a file of hundreds of megabytes, tens of seconds before
a Rasa server answers, and gigabytes of memory at every start or model activation. This
extractor is the same CRF, with the same features and settings, stored as what it learnt:
crfsuite's own model file per tag (the weights, in crfsuite's binary format, read by its C
library: loading runs no Python code), opened in memory at load.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from pathlib import Path
from typing import Any

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.graph_components.validators import default_recipe_validator
from rasa.nlu.extractors.crf_entity_extractor import CRFEntityExtractor, CRFToken

_ORDER = "crf_order.json"


def _tagger_file(folder: Path, tag_name: str) -> Path:
    return folder / f"{tag_name}.crfsuite"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class ProviderExtractor(CRFEntityExtractor):
    def persist(self, dataset: list[list[CRFToken]]) -> None:
        """The trained taggers' model files, not the training data they came from."""
        with self._model_storage.write_to(self._resource) as folder:
            for tag_name, tagger in (self.entity_taggers or {}).items():
                trained = Path(tagger.modelfile.name)
                _tagger_file(folder, tag_name).write_bytes(trained.read_bytes())
            (folder / _ORDER).write_text(json.dumps(self.crf_order), encoding="utf-8")

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> ProviderExtractor:
        import pycrfsuite
        import sklearn_crfsuite

        try:
            with model_storage.read_from(resource) as folder:
                crf_order = json.loads((folder / _ORDER).read_text(encoding="utf-8"))
                taggers: OrderedDict[str, Any] = OrderedDict()
                for tag_name in crf_order:
                    crf = sklearn_crfsuite.CRF()
                    # crfsuite reads the weights where they lie: they live as long as the CRF.
                    crf.weights = _tagger_file(folder, tag_name).read_bytes()
                    crf._tagger = pycrfsuite.Tagger()  # what `predict_marginals_single` reads
                    crf._tagger.open_inmemory(crf.weights)
                    taggers[tag_name] = crf
        except (ValueError, FileNotFoundError):
            return cls(config, model_storage, resource)  # trained without any entity
        extractor = cls(config, model_storage, resource, taggers)
        extractor.crf_order = crf_order
        return extractor


# Rasa's recipe validator knows the extractors trained on the examples by their exact classes:
# without this, every training warns that no extractor learns the annotated providers.
if ProviderExtractor not in default_recipe_validator.TRAINABLE_EXTRACTORS:
    default_recipe_validator.TRAINABLE_EXTRACTORS.append(ProviderExtractor)
