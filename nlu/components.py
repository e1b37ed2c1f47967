"""Rasa 3.6 graph components wrapping the plain NLU modules.

Pipeline order matters (see the report / ``bot/config.yml``)::

    nlu.components.IndicTokenizer      # words incl. Indic vowel signs; lemma = folded spelling
    nlu.components.LanguageDetector    # output: language, script, language_confidence
    ... featurizers, DIETClassifier, FallbackClassifier ...
    nlu.components.SymptomExtractor    # entities "symptom"; output: symptoms, negated_symptoms,
                                       #   symptom_mentions (every mention in order, for the actions)
    nlu.components.RedFlagDetector     # output: emergency, red_flags; intent -> emergency

Why a tokenizer of our own: Rasa's ``WhitespaceTokenizer`` keeps vowel signs in 3.6, but gives the
featurizers raw spellings; ours sets each token's ``lemma`` to the matching key (nukta folded,
zero-width joiners dropped, "bukhaaar" -> "bukhar") and splits "3din" into "3" "din", so
``CountVectorsFeaturizer`` (``use_lemma`` is on by default) sees one form for many spellings.
The red-flag detector runs after the intent classifier and overrides its intent, keeping the
classifier's ranking below ``emergency``, so the dialogue's ``intent: emergency`` rule interrupts.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu import rasa_speedups
from nlu.language import detect_language
from nlu.red_flags import RULES_VERSION, detect_red_flags
from nlu.symptoms import codes_of, extract_symptoms
from nlu.text import tokenize

rasa_speedups.install()  # the server that loads these components answers 3x faster (see the module)

EMERGENCY_INTENT = "emergency"


class _Untrained:
    """Rasa builds these components from their config alone: nothing is trained or stored."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> Any:
        return cls(config)  # type: ignore[call-arg]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class IndicTokenizer(_Untrained, Tokenizer):
    """Tokenizer for Hindi/Punjabi/English in any script; token lemmas are normalised spellings."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
        }

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        text = message.get(attribute) or ""
        tokens = [Token(t.text, t.start, t.end, lemma=t.key) for t in tokenize(text)]
        if not tokens:  # Rasa needs at least one token per message (e.g. emoji-only text)
            tokens = [Token(text, 0, len(text), lemma=text)]
        return self._apply_token_pattern(tokens)


class _MessageComponent(_Untrained, GraphComponent):
    """A stateless, untrained component that only annotates messages at inference time."""

    def __init__(self, config: dict[str, Any] | None = None) -> None:
        """The config is Rasa's defaults: these components have no settings."""

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            self.annotate(message, message.get(TEXT) or "")
        return messages

    def annotate(self, message: Message, text: str) -> None:
        raise NotImplementedError


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class LanguageDetector(_MessageComponent):
    """Sets ``language`` (hi/pa/en), ``script`` (Deva/Guru/Latn) and ``language_confidence``."""

    def annotate(self, message: Message, text: str) -> None:
        guess = detect_language(text)
        message.set("language", guess.language, add_to_output=True)
        message.set("script", guess.script, add_to_output=True)
        message.set("language_confidence", guess.confidence, add_to_output=True)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class SymptomExtractor(_MessageComponent):
    """Adds ``symptom`` entities (asserted mentions only), ``symptoms``/``negated_symptoms`` lists and
    ``symptom_mentions``: every mention in order as ``{"code", "negated"}``, which the action server
    merges into the intake's symptom slots ("a later 'no' overrides a 'yes'") instead of reading the
    text again; the two lists alone lose that order."""

    def annotate(self, message: Message, text: str) -> None:
        mentions = extract_symptoms(text)
        entities = list(message.get(ENTITIES) or [])
        entities.extend(
            {
                "entity": "symptom",
                "value": mention.code,
                "start": mention.start,
                "end": mention.end,
                "confidence": mention.confidence,
                "extractor": type(self).__name__,
            }
            for mention in mentions
            if not mention.negated
        )
        message.set(ENTITIES, entities, add_to_output=True)
        message.set("symptom_mentions", [{"code": m.code, "negated": m.negated} for m in mentions],
                    add_to_output=True)
        asserted = codes_of(mentions)
        message.set("symptoms", asserted, add_to_output=True)
        message.set(
            "negated_symptoms", [c for c in codes_of(mentions, negated=True) if c not in asserted], add_to_output=True
        )


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class RedFlagDetector(_MessageComponent):
    """Sets ``emergency``/``red_flags``; on an emergency the intent becomes ``emergency`` (confidence 1)."""

    def annotate(self, message: Message, text: str) -> None:
        flags = detect_red_flags(text)
        message.set("emergency", bool(flags), add_to_output=True)
        message.set("red_flags", [flag.id for flag in flags], add_to_output=True)
        message.set("red_flags_version", RULES_VERSION, add_to_output=True)
        if not flags:
            return
        emergency = {"name": EMERGENCY_INTENT, "confidence": 1.0}
        ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != EMERGENCY_INTENT]
        message.set(INTENT, emergency, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [emergency, *ranking], add_to_output=True)
