"""Numbered replies: "1", "२", "੩" are answers to the last numbered menu, not language.

Feature phones and people who cannot read well answer menus with a digit. A statistical intent
classifier has nothing to learn from a bare digit, so such messages are recognised exactly here.
Stdlib only: imported inside Rasa (Python 3.10) and by the action server (3.11).
"""

from __future__ import annotations

import re

# ASCII, Devanagari (U+0966..) and Gurmukhi (U+0A66..) digits.
_DIGITS = {**{chr(0x0966 + i): str(i) for i in range(10)}, **{chr(0x0A66 + i): str(i) for i in range(10)}}
_CHOICE = re.compile(r"^\s*(\d{1,2})\s*[.)]?\s*$")


def to_ascii_digits(text: str) -> str:
    return "".join(_DIGITS.get(ch, ch) for ch in text)


def parse_choice(text: str) -> int | None:
    """The number if the whole message is one menu choice ("1", " 2.", "३"), else None."""
    match = _CHOICE.match(to_ascii_digits(text or ""))
    return int(match.group(1)) if match else None
