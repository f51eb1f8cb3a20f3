"""NLU component: a message that held a secret gets a warning that says only what is true.

Channels have already masked the value; this turns the masked message into the
`share_sensitive_data` intent, whatever the classifier thought, so the assistant warns the
user and no form slot keeps the message. It also sets the `secret_kind` entity (hence the
slot), which chooses the warning's wording in domain.yml:
- a kind of what was masked (`password`, `login`, `code`, `iban`, `card`, `nir`, `several`):
  the placeholder is in the stored text, so « je l'ai masqué » is true;
- `unmasked`: a secret reached Rasa in clear (the message did not come through our
  channels), so it was stored as typed and the warning must not claim otherwise;
- `mention`: the classifier heard a secret but none was given (« voulez-vous mon IBAN ? »).
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.redaction import CARD, CODE, IBAN, LOGIN, NIR, PASSWORD, masked_kinds, redact

INTENT_NAME = "share_sensitive_data"
ENTITY = "secret_kind"
UNMASKED = "unmasked"
MENTION = "mention"
SEVERAL = "several"
# The values of `secret_kind` whose wording says that something was masked.
MASKED_WORDINGS = frozenset({PASSWORD, LOGIN, CODE, IBAN, CARD, NIR, SEVERAL})


def warning_kind(text: str, predicted_intent: str | None) -> str | None:
    """What the warning may say about `text`, as Rasa stores it; None: no warning."""
    if redact(text).kinds:
        return UNMASKED
    kinds = set(masked_kinds(text))
    if not kinds:
        return MENTION if predicted_intent == INTENT_NAME else None
    if kinds <= {PASSWORD, LOGIN}:
        return PASSWORD if PASSWORD in kinds else LOGIN
    return kinds.pop() if len(kinds) == 1 else SEVERAL


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class SensitiveDataGuard(GraphComponent):
    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SensitiveDataGuard:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            predicted = (message.get(INTENT) or {}).get("name")
            if text.startswith("/"):  # a button's payload: nothing typed, nothing masked
                kind = MENTION if predicted == INTENT_NAME else None
            else:
                kind = warning_kind(text, predicted)
            if kind is None:
                continue
            if kind == UNMASKED:
                # Too late for the tracker's copy; at least the parse data and logs get none.
                message.set(TEXT, redact(text).text)
            intent = {"name": INTENT_NAME, "confidence": 1.0}
            message.set(INTENT, intent, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [intent], add_to_output=True)
            entities = [e for e in message.get(ENTITIES) or [] if e.get("entity") != ENTITY]
            # An empty span: the value names no words of the text (Rasa's evaluation needs a
            # start and an end; the trainers' inbox proposes only entities that cover words).
            extractor = type(self).__name__
            entity = {"entity": ENTITY, "value": kind, "start": 0, "end": 0}
            entities.append({**entity, "confidence": 1.0, "extractor": extractor})
            message.set(ENTITIES, entities, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
