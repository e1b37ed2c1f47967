"""A voice answer to a question with a few possible answers, when Whisper's transcript is not usable.

Whisper base refuses most Punjabi and Hindi clips (engine.speech.stt's confidence floors), so a
caller who answers "ਹਾਂ ਜੀ" to "1 yes · 2 no", names a symptom of the picture menu or says a number
would be asked again and again. For these questions ``engine.speech.closed`` picks which allowed
answer was said (when the transcript is refused, and for yes/no and numbers always); it is read back in the caller's language ("I understood: ਹਾਂ. 1 yes · 2 no") and
counts only when confirmed, as every voice answer does. What is sent on is what the keypad or the
menu would have sent: "1"/"2" for yes/no, the symptom's name for a menu group, the digits of a number.
A refused transcript of any other answer (an open question, or the menu's when no group was heard)
is searched for the symptoms it names (``engine.speech.symptoms``): those are read back, not the transcript.

Which kind of answer the last question wants comes from the catalogue keys of the bot's turn (a
yes/no question is any message whose English text offers "1 Yes · 2 No").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from channels import symptom_menu
from channels.types.voice.keywords import NUMBER_KEYS
from engine.i18n import catalogue
from engine.speech import closed
from engine.speech import symptoms as speech_symptoms
from engine.speech.prompts import first_in_script

#: The store key holding the kind of answer the last question to ``sender`` wants (WhatsApp/SMS).
ASKED_KEY = "asked:{sender}"
ASKED_TTL = 1800
_YES_NO = re.compile(r"\b1\W*yes\W+2\W*no\b", re.IGNORECASE)


@dataclass(frozen=True)
class Answer:
    said: str  # read back to the caller, in their language
    sent: str  # what goes to the bot once confirmed


@lru_cache(maxsize=1)
def yes_no_keys() -> frozenset[str]:
    """Catalogue keys whose message asks "1 Yes · 2 No"."""
    return frozenset(key for key, texts in catalogue().items() if _YES_NO.search(str(texts.get("en", ""))))


def kind_of(keys: list[str]) -> str | None:
    """"symptom", "number", "yesno" or None for the last question among a bot turn's message keys."""
    for key in reversed(keys):
        if key in symptom_menu.MENU_AFTER_KEYS:
            return "symptom"
        if key in NUMBER_KEYS:
            return "number"
        if key in yes_no_keys():
            return "yesno"
    return None


def choices(kind: str) -> closed.Choices:
    if kind == "symptom":
        return closed.symptoms({str(c.number): list(c.codes) for c in symptom_menu.categories()})
    return {"yesno": closed.yes_no, "number": closed.numbers}[kind]()


def answer(kind: str, value: str, language: str) -> Answer:
    """How a recognised ``value`` is read back and what is sent on."""
    if kind == "yesno":
        forms = dict(closed.yes_no().options)[value]
        word = first_in_script(forms, language) or value
        return Answer(word, "1" if value == "yes" else "2")
    if kind == "symptom":
        name = symptom_menu.choice_text(value, language) or value
        return Answer(name, name)
    return Answer(value, value)


#: Kinds of question whose recognised answer is read back even when the transcript is usable:
#: "ਯੇ ਹਾ." read back to a yes/no question helps nobody, "yes" does. A symptom answer keeps the
#: transcript when there is one ("fever and headache since two days" says more than "fever").
ANSWER_FIRST = frozenset({"yesno", "number"})


def hear(audio: bytes, language: str, kind: str | None, transcript, usable: str) -> Answer | None:
    """The answer to a closed question of ``kind`` heard in ``audio``, or the symptoms a refused
    transcript names (:func:`symptoms_named`), or None (none of the question's answers heard, no
    symptom found, or ``usable`` text that serves better)."""
    if kind and not (usable and kind not in ANSWER_FIRST):
        heard = closed.hear(audio, language, choices(kind), transcript=transcript)
        if heard.value:
            return answer(kind, heard.value, language)
    return None if usable or kind in ANSWER_FIRST else symptoms_named(transcript)


def symptoms_named(transcript) -> Answer | None:
    """The symptoms a refused transcript names, read back by their names in the caller's language
    and sent on as those names once confirmed (``engine.speech.symptoms``; only where it has a
    route, Punjabi: not to a yes/no or number question, where a symptom is no answer)."""
    codes = speech_symptoms.heard(transcript) if transcript else []
    if not codes:
        return None
    said = speech_symptoms.names(codes, transcript.language)
    return Answer(said, said)
