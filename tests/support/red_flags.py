"""What fired for a message, as the red-flag tests ask it: one spelling for every test file.

Standard library and ``nlu`` only: ``tests/nlu_unit`` imports it under the Rasa interpreter too
(Python 3.10, no ``engine``).
"""

from __future__ import annotations

from typing import Any

from nlu.red_flags import detect_red_flags

#: The statistical text classifier's flag: a second net, not a rule.
SAFETY_NET = "safety_net"


def fired(text: str, **context: Any) -> set[str]:
    """The ids of every flag raised for ``text`` (with what is known of the patient)."""
    return {flag.id for flag in detect_red_flags(text, **context)}


def rules_fired(text: str, **context: Any) -> set[str]:
    """The deterministic rules that fired: :func:`fired` without the safety net, for tests of the
    rules themselves."""
    return fired(text, **context) - {SAFETY_NET}


#: Messages of a danger no rule names (a bull's or buffalo's blow to the belly with severe pain and no belly
#: sign told), which the safety net flags: the end-to-end tests use the first one that only the net catches, so
#: a new rule that catches one does not break them ("tractor palat gaya pet phool raha", "bhains ne seeng maar
#: diya pet mein", "kuen mein gir gaya tha, bahar nikala, saans tez" and, with the blunt-trauma clauses of
#: major_trauma, "saand ne maar diya pet phool raha" left the list when the rules learnt them).
NET_ONLY_CANDIDATES = ("saand ne maar diya pet mein, bahut dard", "bhains ne maar diya pet mein, bahut dard",
                       "saand ne maar diya, bahut dard ho raha")


def net_only() -> str:
    """A Hindi (Latin letters) emergency message flagged by the safety net alone, no rule."""
    for text in NET_ONLY_CANDIDATES:
        if fired(text) == {SAFETY_NET}:
            return text
    raise AssertionError(f"no message in {NET_ONLY_CANDIDATES} is flagged by the safety net alone: add one")
