"""Numbers written as digits (ASCII, Devanagari, Gurmukhi) or words in Hindi, Punjabi and English.

``find_numbers`` gives every number word on its own ("ek", "sau", "chaar"); ``spelled_numbers`` joins
the words of one spoken number ("ek sau chaar" 104, "a hundred and four" 104, "ninety four" 94,
"ninety eight point six" 98.6), because patients say readings the way they say them aloud.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from nlu.matcher import PhraseMatcher
from nlu.resources import word_list
from nlu.text import Token, normalize, phrase_key


@dataclass(frozen=True)
class NumberMatch:
    value: float
    first: int
    last: int


HUNDRED = 100.0
#: Words that may join the parts of one number: "a hundred *and* four", "sau *aur* do", "ਸੌ *ਤੇ* ਚਾਰ".
_JOINERS = frozenset(k for w in ("and", "aur", "or", "और", "ate", "te", "ਅਤੇ", "ਤੇ") for k in phrase_key(w))
#: Only English joins a ten and a unit ("ninety four"); Hindi and Punjabi have a word for each number.
_ENGLISH_TENS = frozenset(
    k for w in ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety") for k in phrase_key(w))
_POINT = frozenset(k for w in ("point", "dashamlav", "दशमलव", "ਦਸ਼ਮਲਵ") for k in phrase_key(w))
#: English readings said digit by digit: "one oh four" (104), "one-oh-two", "one twenty" (120), "two ten".
#: Only "one" and "two" lead (no temperature, pulse, BP or sugar is said as 300 and up this way), and
#: only English words follow, so "ek do" (one or two) is never a number.
_SPOKEN_HUNDREDS = {k: float(v) for v, w in ((1, "one"), (2, "two")) for k in phrase_key(w)}
_OH = frozenset(k for w in ("oh", "o", "zero", "nought") for k in phrase_key(w))
_ENGLISH_UNITS = frozenset(
    k for w in ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine") for k in phrase_key(w))
_ENGLISH_TEENS = frozenset(
    k for w in ("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
                "nineteen") for k in phrase_key(w))


@dataclass(frozen=True)
class SpelledNumber:
    """A number written in words over tokens ``first``..``last``; ``parts``: how many number words."""

    value: float
    first: int
    last: int
    parts: int


@lru_cache(maxsize=1)
def time_unit_keys() -> frozenset[str]:
    """Keys of time words ("din", "mahine", "साल", "years"): a number next to one is a duration or an
    age, never a reading ("diabetes for 15 years" is not a sugar of 15)."""
    return frozenset(
        key for label, forms in word_list("slots").items() if label.startswith("unit:")
        for form in forms for key in phrase_key(form)
    )


#: Age words said after the number ("24 yo", "60 yoa"); the other age words come before it ("age 60").
AGE_WORDS_AFTER_NUMBER = ("yo", "yoa", "y o")


@lru_cache(maxsize=1)
def after_number_unit_keys() -> frozenset[str]:
    """Time words that, right after a number, make it a duration or an age ("15 years", "24 yo").

    The slot lexicon lists the age labels said before a number ("age 60", "umar 60", "ਉਮਰ 60") as
    year units too, for "umar 35"; after a number they start the next statement, so in "sugar 45,
    age 60" the 45 is still a glucose reading (ADA Standards of Care 2024, section 6) and is not
    taken for 45 years."""
    lists = word_list("slots")
    after = {key for form in AGE_WORDS_AFTER_NUMBER for key in phrase_key(form)}
    before = {key for form in lists["age_strong"] for key in phrase_key(form)} - after
    return time_unit_keys() - before


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


def _word_matches(tokens: Sequence[Token]) -> list[NumberMatch]:
    spans: dict[tuple[int, int], list[str]] = {}
    for match in _number_words().find(tokens):
        spans.setdefault((match.first, match.last), []).append(match.label)
    return sorted((NumberMatch(_disambiguate(labels, tokens[a : b + 1]), a, b) for (a, b), labels in spans.items()),
                  key=lambda n: n.first)


def _next(words: list[NumberMatch], k: int, tokens: Sequence[Token], joiners: frozenset[str]) -> int | None:
    """Index in ``words`` of the number word right after ``words[k]`` (one joiner word allowed between)."""
    if k + 1 >= len(words):
        return None
    gap = words[k + 1].first - words[k].last - 1
    if gap == 0 or (gap == 1 and tokens[words[k].last + 1].key in joiners):
        return k + 1
    return None


def spelled_numbers(tokens: Sequence[Token]) -> list[SpelledNumber]:
    """Numbers said in words, the words of one number joined (Hindi, Punjabi, English).

    Grammar (what people say aloud): [unit] hundred [and] [1-99]; an English ten and a unit
    ("ninety four"); a number, "point", and digits said one by one ("ninety eight point six").
    """
    words = [w for w in _word_matches(tokens) if w.value == int(w.value)]
    found: list[SpelledNumber] = []
    k = 0
    while k < len(words):
        start, value, parts = words[k].first, words[k].value, 1
        last = words[k].last
        spoken = _digit_by_digit(words, k, tokens)
        if spoken is not None:
            value, last, parts, k = spoken
        step = _next(words, k, tokens, frozenset())
        if spoken is None and step is not None and words[step].value == HUNDRED and 1 <= value < 10:
            value, last, parts, k = value * HUNDRED, words[step].last, 2, step
        if value == HUNDRED or value % HUNDRED == 0 and parts == 2:
            step = _next(words, k, tokens, _JOINERS)
            if step is not None and 1 <= words[step].value < HUNDRED:
                value, last, parts, k = value + words[step].value, words[step].last, parts + 1, step
        step = _next(words, k, tokens, frozenset())
        if step is not None and tokens[words[k].first].key in _ENGLISH_TENS and 1 <= words[step].value <= 9:
            value, last, parts, k = value + words[step].value, words[step].last, parts + 1, step  # "ninety four"
        if last + 2 < len(tokens) and tokens[last + 1].key in _POINT:
            digits = ""
            while k + 1 < len(words) and words[k + 1].first == last + 1 + (not digits) and words[k + 1].value < 10:
                k += 1
                digits += str(int(words[k].value))
                last = words[k].last
            if digits:
                value, parts = float(f"{int(value)}.{digits}"), parts + 1
        found.append(SpelledNumber(value, start, last, parts))
        k += 1
    return found


def _digit_by_digit(words: list[NumberMatch], k: int, tokens: Sequence[Token]) -> tuple[float, int, int, int] | None:
    """(value, last token, parts, index of its last word) for "one oh four" or "one twenty"; else None.

    Americans and many Indian clinicians say a temperature of 104 as "one oh four" and a pulse of
    120 as "one twenty"; read word by word these are 1, 4 and 1, 20 and no reading at all.
    """
    lead = _SPOKEN_HUNDREDS.get(tokens[words[k].first].key)
    if lead is None or words[k].first != words[k].last:
        return None
    after = words[k].last + 1
    if after < len(tokens) and tokens[after].key in _OH:
        unit = next((j for j in range(k + 1, len(words)) if words[j].first == after + 1), None)
        if unit is not None and tokens[words[unit].first].key in _ENGLISH_UNITS and words[unit].value < 10:
            return lead * HUNDRED + words[unit].value, words[unit].last, 3, unit
        return None
    step = _next(words, k, tokens, frozenset())
    if step is not None and tokens[words[step].first].key in _ENGLISH_TENS | _ENGLISH_TEENS:
        return lead * HUNDRED + words[step].value, words[step].last, 2, step
    return None
