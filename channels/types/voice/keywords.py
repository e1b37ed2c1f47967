"""The phone's keys: the language menu, the shortcuts of one-key questions, and what kind of
answer a question wants (one key, a keyed number ended by ``#``, or a symptom).

Ages, days and readings are keyed as several digits ended by ``#`` (``finishOnKey``, not
``numDigits=1``: with one digit a caller keying 4 then 5 was recorded as a 4-year-old and triaged
as a child); a ``*`` stands for the slash of a blood pressure or a decimal point.
"""

from __future__ import annotations

import re

from channels.symptom_menu import MENU_AFTER_KEYS

MENU_LANGUAGES = {"1": "hi", "2": "pa", "3": "en"}
#: Keys of one-key questions with a meaning of their own on every such question.
SHORTCUTS = {"0": "repeat", "9": "doctor", "*": "language"}
#: What the bot's last question wants, by its catalogue key; anything else is a one-key choice.
#: ``CODE``: the one-time code or PIN that opens the record (channels.pipeline.stepup), keyed and ``#``.
SYMPTOM, NUMBER, CHOICE, CODE = "symptom", "number", "choice", "code"
NUMBER_KEYS = ("core_ask_age", "core_reprompt_age", "core_ask_duration_days", "core_reprompt_duration",
               "core_ask_reading", "vital_unclear")
KEYED_NUMBER = re.compile(r"^\d{1,4}(\*\d{1,3})?$")  # "45", "101", "150*95" (BP), "98*6" (a decimal)


def expectation(keys: list[str]) -> str:
    """The kind of answer the last question in a bot turn wants."""
    for key in reversed(keys):
        if key == "stepup_needed":
            return CODE
        if key in MENU_AFTER_KEYS:
            return SYMPTOM
        if key in NUMBER_KEYS:
            return NUMBER
    return CHOICE
