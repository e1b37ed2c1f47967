"""Rasa component: a message that is only a menu number gets intent ``choose`` (confidence 1).

Runs after the intent classifier and the FallbackClassifier, before the red-flag detector (a
digit is never an emergency). The number goes to the output property ``choice``.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu.choice import parse_choice


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class NumberedChoice(GraphComponent):
    """Overrides the intent of bare-number messages with ``choose``."""

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "NumberedChoice":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            number = parse_choice(message.get(TEXT) or "")
            if number is None:
                continue
            message.set("choice", number, add_to_output=True)
            message.set(INTENT, {"name": "choose", "confidence": 1.0}, add_to_output=True)
            ranking = message.get(INTENT_RANKING_KEY) or []
            message.set(INTENT_RANKING_KEY, [{"name": "choose", "confidence": 1.0}, *ranking],
                        add_to_output=True)
        return messages
