"""The base of every form validation here: each answer is validated, whatever else the form decides.

Why this exists: rasa-sdk validates an answer (a slot candidate Rasa extracted from the user's
message) only if ``required_slots`` still lists that slot. Our forms drop a question as soon as
its slot is filled ("asked once per patient"), and the raw answer fills the slot *before* it is
validated, so the answer to such a question was never validated: "1" or "हाँ" to "Shall I keep
this check in your record?" stayed in the slot as typed, nothing was saved (the save wants
``"yes"``), and the question, its slot no longer empty, was never asked again (issue #14).

Subclasses say which questions this patient still needs (``needed_slots``); this class adds every
form slot that holds an answer not validated yet, so each ``validate_<slot>`` always runs and the
slot ends up holding its canonical value (or None, and the question is asked again).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from functools import cache

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions.common import conversation_script
from engine.i18n import reply_script
from nlu.resources import word_list
from nlu.text import phrase_key


@cache
def _stop_keys() -> tuple[frozenset[tuple[str, ...]], frozenset[str]]:
    """The stop answers and the politeness around them (``data/lexicon/form_stops.tsv``) as match keys."""
    words = word_list("form_stops")
    return (frozenset(phrase_key(p) for p in words["stop"]),
            frozenset(k for p in words["filler"] for k in phrase_key(p)))


def says_stop(text: str) -> bool:
    """True when the whole message is a stop word, maybe with politeness around it ("ok bye", "ਬੱਸ ਜੀ").

    A form's answer slot takes free text whatever intent the model gave it ("the big one", "the big
    temple" were read as goodbye and ended the pharmacy form); only a message made of these words
    alone leaves the form. Compared on ``nlu.text`` match keys, so spellings that fold together match.
    """
    stops, fillers = _stop_keys()
    words = [k for k in phrase_key(text or "") if k not in fillers]
    found = False
    while words:
        size = next((n for n in range(len(words), 0, -1) if tuple(words[:n]) in stops), 0)
        if not size:
            return False
        words, found = words[size:], True
    return found


def awaiting_validation(tracker: Tracker, domain_slots: list[str]) -> list[str]:
    """The form's slots that Rasa just filled from the user's message (or a validation just set).

    ``Tracker.slots_to_validate`` is the trailing run of slot events: Rasa's candidates, followed
    (once rasa-sdk has validated) by the validated values. A slot whose value is None there is
    unanswered, and the form's own logic decides whether to ask it again.
    """
    return [slot for slot, value in tracker.slots_to_validate().items() if slot in domain_slots and value is not None]


class AnswerValidation(FormValidationAction, ABC):
    """A ``FormValidationAction`` whose ``required_slots`` never hides an answer from validation."""

    @abstractmethod
    def name(self) -> str: ...

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        """Validation and its re-prompts in the script the patient writes (as every SaathiAction).
        No ``script`` slot event here: an extra slot event would read as an answer to the form; the
        subclass that asks the next question sets it (``actions.intake``)."""
        with reply_script(conversation_script(tracker)):
            return await super().run(dispatcher, tracker, domain)

    async def needed_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker,
                           domain: DomainDict) -> list[str]:
        """The questions this patient still needs, in the order to ask them (default: all of them)."""
        return domain_slots

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> list[str]:
        needed = await self.needed_slots(domain_slots, dispatcher, tracker, domain)
        return needed + [slot for slot in awaiting_validation(tracker, domain_slots) if slot not in needed]
