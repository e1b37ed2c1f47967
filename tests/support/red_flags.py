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
