"""Parsers for the intake form's answers, in Hindi, Punjabi and English, any script.

Each takes the user's raw reply and returns a normalised value or ``None`` when the reply does not
answer the question, so the form can ask again instead of guessing. Word lists live in
``data/lexicon/slots.tsv``; numbers come from ``nlu.numbers``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from nlu.matcher import PhraseMatch, PhraseMatcher
from nlu.numbers import digit_value, find_numbers
from nlu.resources import word_list
from nlu.text import Token, tokenize

DAYS_PER_YEAR = 365.0
MAX_AGE = 120
UNITS_PER_YEAR = {365.0: 1.0, 30.0: 12.0, 7.0: 52.0, 1.0: DAYS_PER_YEAR}  # ages: months are twelfths
SEVERITY_ORDER = ("mild", "moderate", "severe")
_SCALE = re.compile(r"^\s*(\d{1,2})\s*(?:/|out of|में से|ਵਿੱਚੋਂ)\s*10\b", re.IGNORECASE)


@lru_cache(maxsize=1)
def _slot_words() -> PhraseMatcher:
    return PhraseMatcher(
        ((key, form) for key, forms in word_list("slots").items() for form in forms), fuzzy=False
    )


def _matches(tokens: Sequence[Token], prefix: str) -> list[PhraseMatch]:
    """Slot-word matches whose label starts with ``prefix``; single letters only as the whole reply."""
    found = [m for m in _slot_words().find(tokens) if m.label.startswith(prefix)]
    if len(tokens) > 1:
        found = [m for m in found if m.last > m.first or len(tokens[m.first].key) > 1]
    return found


def _whole_number(text: str) -> float | None:
    """The value if the whole reply is one number ("2", "३", "੧")."""
    tokens = tokenize(text)
    if len(tokens) == 1 and tokens[0].text[:1].isdigit():
        return digit_value(tokens[0].text)
    return None


def _quantities(tokens: Sequence[Token]) -> list[tuple[float | None, float, int, int]]:
    """(number or None, unit length in days, unit's first and last token) for each time unit."""
    numbers = find_numbers(tokens)
    units = _matches(tokens, "unit:")
    unit_starts = {u.first for u in units}
    result = []
    for unit in units:
        before = [n for n in numbers if n.last < unit.first and unit.first - n.last <= 2]
        # "do-teen din", "2-3 days": a range ends right before the unit; take its upper end.
        near = [n for n in before if unit.first - n.last <= 1] or before[-1:]
        value = max((n.value for n in near), default=None)
        if value is None:
            # "umar 35", "age 35"; not "umar 3 mahine", whose number has its own unit
            after = [n for n in numbers if n.first == unit.last + 1 and n.last + 1 not in unit_starts]
            value = after[0].value if after and unit.label == "unit:365" else None
        result.append((value, float(unit.label.split(":")[1]), unit.first, unit.last))
    return result


@lru_cache(maxsize=1)
def _person_words() -> frozenset[str]:
    lists = word_list("slots")
    return frozenset(
        key for name in ("sex:m", "sex:f", "patient:child") for form in lists[name] for key in tokenize_keys(form)
    )


def tokenize_keys(form: str) -> list[str]:
    return [token.key for token in tokenize(form)]


def _roles(tokens: Sequence[Token], text: str = "") -> list[tuple[float | None, float, str | None]]:
    """Each time quantity with its role: ``"duration"``, ``"age"`` or None when the words do not say.

    "mera 5 saal ka beta hai, 3 din se bukhar": "5 saal ka beta" is an age (quantity, ka/ki/da/di,
    then a person or "hai"), "3 din se" a duration (se/since/ਤੋਂ after, or for/since/pichhle before).
    "age 3 months", "umar 3 mahine" (an age word before) and "baby 3 mahine, ..." (a person word right
    before, the quantity ending the clause) are ages too: an infant's age in months or days decides
    which IMCI thresholds apply, so it must not be lost.
    """
    markers = _slot_words().find(tokens)
    starts: dict[int, set[str]] = {}
    ends: dict[int, set[str]] = {}
    for m in markers:
        starts.setdefault(m.first, set()).add(m.label)
        ends.setdefault(m.last, set()).add(m.label)
    people = _person_words()
    numbers = find_numbers(tokens)
    result = []
    for value, days, first, last in _quantities(tokens):
        after = starts.get(last + 1, set())
        number_start = min((n.first for n in numbers if n.last < first and first - n.last <= 2), default=first)
        before = ends.get(number_start - 1, set())
        role = None
        if "duration_after" in after or "duration_before" in before:
            role = "duration"
        elif "age_strong" in (after | starts.get(first, set()) | before) or (
                number_start > 0 and tokens[number_start - 1].key in people and _clause_ends(tokens, last, text)) or (
                days == DAYS_PER_YEAR and value is not None and last + 1 < len(tokens) and tokens[last + 1].key in people):
            role = "age"  # "age 58", "umar 35", "baby 3 mahine,", "58 yr male", "60 saal aurat"
        elif "age_marker" in after and last + 2 < len(tokens):
            # "5 saal ka beta", "30 saal ki hoon" are ages; "3 din ka bukhar" is how long it has lasted.
            following = {t.key for t in tokens[last + 2 : last + 4]}
            person = following & people or "copula" in starts.get(last + 2, set())
            role = "age" if person else "duration"
        result.append((value, days, role))
    return result


def _clause_ends(tokens: Sequence[Token], last: int, text: str) -> bool:
    """Nothing follows token ``last`` in its clause: the end of the text or a punctuation mark."""
    if last + 1 >= len(tokens):
        return True
    return any(ch in ",.;:!?।|" for ch in text[tokens[last].end:tokens[last + 1].start])


#: Words that may follow an age said without a unit ("I am 58 and diabetic", "she is 70 with chest pain").
_AFTER_STATED_AGE = frozenset({"and", "with", "but", "aur", "te", "ate"})


def _stated_age(tokens: Sequence[Token], text: str) -> float | None:
    """An age said in English without a unit: "I am 58", "she is 70, BP 158", "he is 2 and has fever".

    Only a whole number right after "I am"/"he is"/"my age is" (``age_copula``) that ends its clause or is
    followed by a person word or "and"/"with": "I am 5 months pregnant", "I am 60 kg" and "BP is 158"
    are not ages.
    """
    numbers = {n.first: n for n in find_numbers(tokens)}
    for match in _matches(tokens, "age_copula"):
        number = numbers.get(match.last + 1)
        if number is None or number.value != int(number.value) or not 1 <= number.value <= MAX_AGE:
            continue
        if _clause_ends(tokens, number.last, text) or tokens[number.last + 1].key in _person_words() | _AFTER_STATED_AGE:
            return number.value
    return None


def parse_duration_days(text: str) -> float | None:
    """How long, in days: "3 din se" -> 3, "2 hafte" -> 14, "since yesterday" -> 1, "aaj subah se" -> 0.5.

    Ages are skipped ("mera 5 saal ka beta hai, 3 din se bukhar" -> 3); a quantity marked as a
    duration wins over an unmarked one.
    """
    tokens = tokenize(text)
    roles = _roles(tokens, text)
    counted = [value * days for value, days, role in roles if value is not None and role == "duration"]
    counted = counted or [value * days for value, days, role in roles if value is not None and role is None]
    if counted:
        return round(max(counted), 3)
    relative = _matches(tokens, "ago:")
    if relative:
        return max(float(m.label.split(":")[1]) for m in relative)
    if any(role != "age" for _, _, role in roles):  # a unit alone: "hafte se" -> a week
        return max(days for _, days, role in roles if role != "age")
    number = _whole_number(text)
    return number if number is not None and number >= 0 else None


def parse_age(text: str) -> float | None:
    """Age in years: "35 saal" -> 35, "6 mahine ka baccha" -> 0.5, "ਪੰਜ ਸਾਲ" -> 5, "42" -> 42.

    Durations are never ages: "mujhe 3 din se bukhar hai" has no age.
    """
    tokens = tokenize(text)
    roles = _roles(tokens, text)
    for value, days, role in roles:
        if role == "age" and value is not None and days >= 1:
            return round(value / UNITS_PER_YEAR.get(days, DAYS_PER_YEAR / days), 3)
    if (stated := _stated_age(tokens, text)) is not None:
        return stated
    for value, days, role in roles:
        if role is None and value is not None and days >= 1:
            return round(value / UNITS_PER_YEAR.get(days, DAYS_PER_YEAR / days), 3)
    if any(role == "duration" for _, _, role in roles):
        return None
    numbers = find_numbers(tokens)
    if len(numbers) == 1 and 0 <= numbers[0].value <= MAX_AGE and not _measured(tokens, numbers[0]):
        return numbers[0].value
    return None


def _measured(tokens: Sequence[Token], number) -> bool:
    """A unit of weight, height, money, time of day or dose right after the number ("I am 60 kg", "5 feet",
    "60 rupaye", "7 baje"), or a measure's name right before it ("weight 60", "BP 158"): not an age."""
    found = _slot_words().find(tokens)
    after = any(m.label == "not_age_after" and m.first == number.last + 1 for m in found)
    before = any(m.label == "not_age_before" and m.last == number.first - 1 for m in found)
    return after or before


def age_in_text(text: str) -> float | None:
    """An age stated in passing ("1 month old baby", "6 mahine ka baccha", "ਦੋ ਸਾਲ ਦੀ ਕੁੜੀ"), else None.

    Unlike ``parse_age`` this needs the words to say it is an age ("old", or "ka"/"ki"/"da"/"di" and
    then a person or "hai"), so that durations ("3 din se", "3 din ka bukhar") and pregnancy months
    ("7 mahine ki pregnant") are not read as ages.
    """
    tokens = tokenize(text)
    for value, days, role in _roles(tokens, text):
        if value is not None and days >= 1 and role == "age":
            return round(value / UNITS_PER_YEAR.get(days, DAYS_PER_YEAR / days), 3)
    return _stated_age(tokens, text)


def parse_sex(text: str) -> str | None:
    """``"m"`` or ``"f"`` from words like aadmi/ladka/ਮੁੰਡਾ/male or aurat/ladki/ਕੁੜੀ/female; None if unclear."""
    labels = {m.label for m in _matches(tokenize(text), "sex:")}
    return labels.pop().split(":")[1] if len(labels) == 1 else None


def parse_yes_no(text: str) -> bool | None:
    """True for haan/ji/yes/ਹਾਂ or "1", False for nahi/no/ਨਹੀਂ or "2"; None if unsure or contradictory."""
    number = _whole_number(text)
    if number is not None:
        return {1.0: True, 2.0: False}.get(number)
    tokens = tokenize(text)
    found = _slot_words().find(tokens)
    labels = {m.label for m in found}
    if "unsure" in labels:
        return None
    answers = labels & {"yes", "no"}
    return answers.pop() == "yes" if len(answers) == 1 else None


def parse_severity(text: str) -> str | None:
    """mild/moderate/severe from "1"/"2"/"3", "7/10", or words (halka, thoda, zyada, bahut, ਬਹੁਤ, severe)."""
    number = _whole_number(text)
    if number is not None:
        return SEVERITY_ORDER[int(number) - 1] if number in (1.0, 2.0, 3.0) else None
    scale = _SCALE.match(text)
    if scale:
        score = int(scale.group(1))
        return "mild" if score <= 3 else "moderate" if score <= 6 else "severe"
    levels = [m.label.split(":")[1] for m in _matches(tokenize(text), "sev:")]
    return max(levels, key=SEVERITY_ORDER.index) if levels else None


def parse_patient(text: str) -> str | None:
    """Who is ill: ``self``, ``child`` or ``other``. A named relative wins over "mujhe"/"I"."""
    labels = {m.label.split(":")[1] for m in _matches(tokenize(text), "patient:")}
    for who in ("child", "other", "self"):
        if who in labels:
            return who
    return None


def parse_language_choice(text: str) -> str | None:
    """hi/pa/en when the reply names a language ("ਪੰਜਾਬੀ ਵਿੱਚ ਗੱਲ ਕਰੋ", "english please"); the last one named wins.

    Menu digits are not a language choice here: the numbered-menu component handles them.
    """
    found = _matches(tokenize(text), "lang:")
    return found[-1].label.split(":")[1] if found else None


def parse_script_choice(text: str) -> str | None:
    """"Latn" when the reply asks for Latin letters ("roman me likho", "english letters", "hinglish"),
    "native" when it asks for Devanagari or Gurmukhi ("हिंदी लिपि में", "gurmukhi vich"); the last wins."""
    found = _matches(tokenize(text), "script:")
    return found[-1].label.split(":")[1] if found else None
