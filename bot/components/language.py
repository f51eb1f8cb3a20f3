"""NLU component: spaCy's French model with its word vectors and tokenizer only.

The pipeline reads three things from spaCy: the tokens, the word vectors of each token and
their mean (SpacyTokenizer, SpacyFeaturizer); none of them needs spaCy's neural pipes. Rasa's
own SpacyNLP still runs the tagger, lemmatizer and named-entity recognizer on every message,
about 6 ms of CPU per message on this machine for results nobody reads. This loader excludes
them: the features, and so the predictions, are the same; each turn is cheaper.

The class keeps Rasa's name on purpose: the components that use spaCy's model find their
provider by class name (« SpacyNLP »), so a loader with another name would not be found.
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.model import InvalidModelError
from rasa.nlu.utils import spacy_utils
from rasa.nlu.utils.spacy_utils import SpacyModel

# Pipes of spaCy's trained French models that compute what the pipeline never reads.
UNUSED_PIPES = (
    "tok2vec",
    "morphologizer",
    "parser",
    "senter",
    "attribute_ruler",
    "lemmatizer",
    "ner",
)


@DefaultV1Recipe.register(
    [
        DefaultV1Recipe.ComponentType.MODEL_LOADER,
        DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER,
    ],
    is_trainable=False,
    model_from="SpacyNLP",
)
class SpacyNLP(spacy_utils.SpacyNLP):
    @staticmethod
    def load_model(spacy_model_name: str) -> SpacyModel:
        import spacy

        if not spacy_model_name:
            raise InvalidModelError("SpacyNLP needs a spaCy model name (`model` in config.yml).")
        try:
            language = spacy.load(spacy_model_name, exclude=list(UNUSED_PIPES))
        except OSError as error:
            raise InvalidModelError(
                f"The spaCy model {spacy_model_name!r} is not installed: run `make` again."
            ) from error
        if not language.vocab.vectors.shape[0]:
            raise InvalidModelError(f"The spaCy model {spacy_model_name!r} has no word vectors.")
        return SpacyModel(model=language, model_name=spacy_model_name)
