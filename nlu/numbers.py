"""Numbers written as digits (ASCII, Devanagari, Gurmukhi) or words in Hindi, Punjabi and English."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from nlu.matcher import PhraseMatcher
from nlu.resources import word_list
from nlu.text import Token, normalize


@dataclass(frozen=True)
class NumberMatch:
    value: float
    first: int
    last: int


@lru_cache(maxsize=1)
def _number_words() -> PhraseMatcher:
    return PhraseMatcher(
        ((value, form) for value, forms in word_list("numbers").items() for form in forms), fuzzy=False
    )


def digit_value(word: str) -> float | None:
    """The value of a token made of digits in any script ("३", "੧੨", "2.5", "1,5")."""
    digits = "".join(str(unicodedata.digit(ch)) if ch.isdigit() else ch for ch in word).replace(",", ".")
    try:
        return float(digits)
    except ValueError:
        return None


def _disambiguate(labels: list[str], tokens: Sequence[Token]) -> float:
    """Matching keys fold "teen" (3) and "ten" (10) together; the exact spelling decides."""
    if len(labels) > 1:
        spelled = " ".join(normalize(token.text) for token in tokens)
        for label in labels:
            if spelled in (normalize(form) for form in word_list("numbers")[label]):
                return float(label)
    return float(labels[0])


def find_numbers(tokens: Sequence[Token]) -> list[NumberMatch]:
    """Every number in the tokens, digit tokens and number words alike, in order."""
    spans: dict[tuple[int, int], list[str]] = {}
    for match in _number_words().find(tokens):
        spans.setdefault((match.first, match.last), []).append(match.label)
    found = [NumberMatch(_disambiguate(labels, tokens[a : b + 1]), a, b) for (a, b), labels in spans.items()]
    for index, token in enumerate(tokens):
        value = digit_value(token.text) if token.text[:1].isdigit() else None
        if value is not None:
            found.append(NumberMatch(value, index, index))
    return sorted(found, key=lambda n: n.first)
