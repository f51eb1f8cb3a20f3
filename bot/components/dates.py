"""NLU component: the date of care in a French message, as an ISO `care_date` entity."""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.french_dates import find_care_date, today_in_paris

ENTITY = "care_date"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class FrenchDateExtractor(GraphComponent, EntityExtractorMixin):
    """Resolves « le 3 mars », « hier », « lundi dernier »… against the day of the message."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> FrenchDateExtractor:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        today = today_in_paris()
        for message in messages:
            text = message.get(TEXT)
            if not text or text.startswith("/"):
                continue  # button payloads carry their entities already
            found = find_care_date(text, today)
            if found is None:
                continue
            entity = {
                "entity": ENTITY,
                "value": found.value.isoformat(),
                "start": found.start,
                "end": found.end,
                "confidence": 1.0,
                "extractor": self.__class__.__name__,
            }
            message.set(ENTITIES, [*message.get(ENTITIES, []), entity], add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
