"""Vital signs and measurements in free text and ASHA commands, and what they mean for urgency.

Patients report "tez bukhar 103", "sugar 40", "ऑक्सीजन 85"; an ASHA sends ``VISIT KD472 T 103 P 128
SPO2 89``. This module reads those numbers (Latin, Devanagari and Gurmukhi digits, with or without
units), keeps only values a body can have, and checks them against thresholds from named sources
(``data/vitals.json``: WHO IMCI, NICE NG143, RCP NEWS2, ADA, ACOG/FOGSI, ESC/ESH, AHA; each rule
names its source). Emergency findings reach everyone through ``nlu.red_flags.detect_red_flags``
(``vital_flags`` below); the triage engine uses the urgent ones to raise urgency.

Safety rules, why they are here:

- A number is a reading only when a keyword ("temp", "BP", "नब्ज़", "ਬੁਖਾਰ") or a unit ("°F",
  "mg/dL", "mmHg") says what it is, or when it has the unmistakable "160/110" form. Durations and
  ages ("bukhar 3 din se", "8 mahine ki garbhvati") are never readings.
- An implausible value ("temp 1040", "BP 1600/110", "pulse 900") is never used, never lowers
  anything, and is returned in ``Vitals.implausible`` so the dialogue asks for it again.
- Plain Python on the standard library and ``nlu``'s own helpers: it runs inside Rasa (3.10) too.
"""

from __future__ import annotations

import operator
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from nlu.matcher import PhraseMatch, PhraseMatcher
from nlu.numbers import after_number_unit_keys, spelled_numbers
from nlu.resources import DATA_DIR, read_json
from nlu.symptoms import match_symptoms
from nlu.text import Token, phrase_key, tokenize

VITALS_PATH = DATA_DIR / "vitals.json"
#: Laboratory values copied from a report ("Hb 5", "K 7.2", "Na 118"): read like the vital signs, after
#: their keyword only (``labs`` in data/vitals.json).
LAB_MEASURES = ("haemoglobin", "potassium", "sodium", "creatinine")
MEASURES = ("temperature", "pulse", "resp_rate", "bp", "spo2", "glucose", *LAB_MEASURES)
LEVELS = ("urgent", "emergency")
#: Connector words ("hai", "level", "का") allowed between a keyword and its number.
MAX_CONNECTORS = 3
MGDL_PER_MMOL = 18.0
#: Unitless glucose below this that is a whole number could be mmol/L or a typo: asked back.
MIN_UNITLESS_MGDL = 20
#: No vital sign is written as a single digit: "sugar ki 2 goli" is a dose, not a reading.
MIN_READING = 10
MAX_UNITLESS_MMOL = 35
_OPS = {"<": operator.lt, "<=": operator.le, ">=": operator.ge, ">": operator.gt}
_SUFFIX = {"temperature": " °C", "pulse": "/min", "resp_rate": "/min", "spo2": "%", "systolic": " mmHg",
           "diastolic": " mmHg", "glucose": " mg/dL", "haemoglobin": " g/dL", "potassium": " mmol/L",
           "sodium": " mmol/L", "creatinine": " mg/dL"}
_SLASHES = ("/", "\\", "|")
_DASHES = ("-", "–", "—")
_PAIR_WORDS = frozenset({"by", "over", "upon", "bata", "बटा", "ਬਟਾ"})


@dataclass(frozen=True)
class Reading:
    """One measurement: ``value`` in °C (temperature), /min, %, mg/dL (glucose) or mmHg (systolic;
    ``second`` is the diastolic); ``shown`` is how it reads back to the user ("103 °F", "160/110 mmHg")."""

    measure: str
    value: float
    second: float | None = None
    shown: str = ""

    def values(self) -> dict[str, float]:
        """The values thresholds test: ``systolic``/``diastolic`` for blood pressure."""
        if self.measure != "bp":
            return {self.measure: self.value}
        found = {"systolic": self.value}
        if self.second is not None:
            found["diastolic"] = self.second
        return found


@dataclass(frozen=True)
class Implausible:
    """A number given as ``measure`` that no body can have (never used; ask again)."""

    measure: str
    shown: str


@dataclass(frozen=True)
class Vitals:
    readings: tuple[Reading, ...] = ()
    implausible: tuple[Implausible, ...] = ()


@dataclass(frozen=True)
class Finding:
    """A threshold crossed: ``level`` urgent or emergency, the reading ``shown``, the ``limit`` crossed,
    the catalogue ``message`` (fields ``value`` and ``limit``), the ``source`` and an English ``reason``."""

    id: str
    level: str
    code: str
    measure: str
    shown: str
    limit: str
    message: str
    source: str
    reason: str


# ---------------------------------------------------------------------------------------- data


@lru_cache(maxsize=1)
def data() -> dict:
    return read_json(VITALS_PATH)


VITALS_VERSION: str = data()["version"]


@lru_cache(maxsize=1)
def _keywords() -> PhraseMatcher:
    return PhraseMatcher(((m, p) for m, forms in data()["keywords"].items() for p in forms), fuzzy=False)


@lru_cache(maxsize=1)
def _units() -> PhraseMatcher:
    return PhraseMatcher(((u, p) for u, forms in data()["units"].items() for p in forms), fuzzy=False)


@lru_cache(maxsize=1)
def _one_words() -> frozenset[str]:
    """"one" before a counting period ("ek minute mein"), in every script (``one_words`` in data/vitals.json)."""
    return frozenset(key for form in data()["one_words"] for key in phrase_key(form))


@lru_cache(maxsize=1)
def _connectors() -> frozenset[str]:
    return frozenset(key for form in data()["connectors"] for key in phrase_key(form))


@lru_cache(maxsize=1)
def _devices() -> PhraseMatcher:
    return PhraseMatcher(((m, p) for m, forms in data()["devices"].items() for p in forms), fuzzy=False)


def devices_mentioned(text: str | None) -> list[str]:
    """Measures whose device the text names ("mere paas oximeter hai" -> ["spo2"]), in order: the
    intake asks for that reading even when no symptom calls for it."""
    return list(dict.fromkeys(m.label for m in _devices().find(tokenize(text or ""))))


def cite(keys: Iterable[str]) -> str:
    sources = data()["sources"]
    return "; ".join(sources[k]["cite"] for k in keys)


# ---------------------------------------------------------------------------------------- reading


def _ascii(word: str) -> str:
    """Digits of any script as ASCII ("१०४" -> "104"), other characters unchanged."""
    return "".join(str(unicodedata.digit(ch)) if ch.isdigit() else ch for ch in word)


def number_value(word: str) -> float | None:
    """The value of a number token: "104", "१०४", "੧੦੪", "39.5", "39,5"; a comma before exactly three
    digits is a thousands separator ("1,040" is 1040, never 1.04)."""
    text = _ascii(word)
    head, sep, tail = text.partition(",")
    if sep and len(tail) == 3 and tail.isdigit() and head.isdigit():
        text = head + tail
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return None


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))


def _in(value: float, bounds: Sequence[float]) -> bool:
    return bounds[0] <= value <= bounds[1]


@lru_cache(maxsize=1)
def _lab_words(kind: str) -> frozenset[tuple[str, ...]]:
    """Keys of the ``labs`` keyword lists (``capital_only``, ``after_proof``) or, for ``endings``, single words."""
    return frozenset(phrase_key(form) for form in data()["labs"][kind])


def _keyword_matches(tokens: Sequence[Token]) -> list[PhraseMatch]:
    """Keyword matches, without the lab abbreviations written in small letters ("bp k 150" is "ka",
    "na" is "no"): "K 7.2" and "Na 118" are only ever written with a capital."""
    capital_only = _lab_words("capital_only")
    return [m for m in _keywords().find(tokens)
            if tuple(t.key for t in tokens[m.first:m.last + 1]) not in capital_only
            or tokens[m.first].text[:1].isupper()]


class _Scan:
    """One text's tokens, numbers, keyword and unit matches, and which numbers are taken."""

    def __init__(self, text: str, tokens: list[Token]) -> None:
        self.text = text
        self.tokens = tokens
        self.keywords = _keyword_matches(tokens)
        inside = {i for m in self.keywords for i in range(m.first, m.last + 1)}  # the "2" of "SpO2"
        self.numbers = {
            i: v for i, t in enumerate(tokens)
            if i not in inside and t.text[:1].isdigit() and (v := number_value(t.text)) is not None
        }
        self.units = {m.first: m for m in _units().find(tokens)}
        self.keyword_at = {i for m in self.keywords for i in range(m.first, m.last + 1)}
        self.used: set[int] = set()
        self._symptom_starts: frozenset[int] | None = None

    def span_length(self, match: PhraseMatch) -> int:
        return self.tokens[match.last].end - self.tokens[match.first].start

    def key_of(self, match: PhraseMatch) -> tuple[str, ...]:
        """The token keys of a keyword as written ("resp rate")."""
        return tuple(t.key for t in self.tokens[match.first : match.last + 1])

    def gap(self, i: int) -> str:
        """The characters between token ``i`` and the next one (or the end)."""
        end = self.tokens[i + 1].start if i + 1 < len(self.tokens) else len(self.text)
        return self.text[self.tokens[i].end:end]

    def is_duration(self, i: int) -> bool:
        return i + 1 < len(self.tokens) and self.tokens[i + 1].key in after_number_unit_keys()

    def ends_value(self, i: int) -> bool:
        """Whether number ``i`` stands as a value: it ends the text or the clause, carries a unit, or is
        followed by a word such as "hai" ("khoon 5 hai"), by the next measure ("Na 166 K 5.1") or by a
        symptom (an ASHA's "VISIT KD472 Na 166 susti"), not by a count or a time ("khoon 5 baar",
        "K 7 baje")."""
        if i + 1 >= len(self.tokens) or any(mark in self.gap(i) for mark in ",;.!?|।"):
            return True
        return ((i + 1) in self.units or (self.tokens[i + 1].key,) in _lab_words("endings")
                or (i + 1) in self.keyword_at or (i + 1) in self.symptom_starts())

    def symptom_starts(self) -> frozenset[int]:
        """The token indices where a symptom of the lexicon begins (read once per text, when asked)."""
        if self._symptom_starts is None:
            self._symptom_starts = frozenset(m.first for m in match_symptoms(self.text, self.tokens))
        return self._symptom_starts

    def pair(self, i: int, dash: bool = False) -> int | None:
        """The token index of the diastolic when token ``i`` starts "160/110" or "160 by 110"; with
        ``dash`` (after a BP keyword) also "160-110", but only falling ("BP 140-150 rehta" is a range)."""
        if i + 1 in self.numbers and self.gap(i).strip() in _SLASHES:
            return i + 1
        if (dash and i + 1 in self.numbers and self.gap(i).strip() in _DASHES
                and self.numbers[i + 1] < self.numbers[i]):
            return i + 1
        if (i + 2 in self.numbers and self.tokens[i + 1].key in _PAIR_WORDS
                and not self.gap(i).strip() and not self.gap(i + 1).strip()):
            return i + 2
        return None

    def unit(self, last: int) -> tuple[str | None, int, bool]:
        """The unit right after token ``last``, the last token it uses, and whether it is proof of the
        measure: a symbol ("°", "%", "℃") or a word ("mg/dl", "bpm") is; a bare letter ("39 C",
        "25 F": maybe an age and a sex) is not."""
        gap = self.gap(last)
        for symbol, label in (("℃", "celsius"), ("℉", "fahrenheit"), ("%", "percent")):
            if symbol in gap:
                return label, last, True
        match = self.units.get(last + 1)
        if "°" in gap or "º" in gap:
            if match and match.label in ("celsius", "fahrenheit"):
                return match.label, match.last, True
            return "degree", last, True
        if match is None or gap.strip(" :-=") not in ("", "/"):
            return None, last, False
        letter = match.first == match.last and len(self.tokens[match.first].text) == 1
        return match.label, match.last, not letter

    def after(self, keyword: PhraseMatch) -> int | None:
        """The first free number after a keyword, over at most a few connector words and a counting
        period ("saans 1 minute me 52", "सांस गिनी तो एक मिनट में 68 बार": WHO IMCI counts breaths for
        one full minute, and people say the minute before the count)."""
        skipped, i = 0, keyword.last + 1
        while i < len(self.tokens):
            period = self.counting_period(i)
            if period is not None:
                i = period + 1
                continue
            if i in self.numbers:
                return None if i in self.used else i
            if i in self.keyword_at or self.tokens[i].key not in _connectors() or skipped >= MAX_CONNECTORS:
                return None
            skipped, i = skipped + 1, i + 1
        return None

    def counting_period(self, i: int) -> int | None:
        """The last token of a "(1 | ek | एक | ਇੱਕ) minute (mein)" starting at token ``i``, else None."""
        starts = (i, i + 1) if self.numbers.get(i) == 1 or self.tokens[i].key in _one_words() else (i,)
        for start in starts:
            match = self.units.get(start)
            if match is not None and match.label == "per_minute":
                return match.last
        return None

    def before(self, keyword: PhraseMatch) -> int | None:
        """A free number just before a keyword ("103 bukhar", "130 ki nabz"), one connector allowed."""
        i = keyword.first - 1
        if i >= 0 and i not in self.numbers and self.tokens[i].key in _connectors():
            i -= 1
        return i if i >= 0 and i in self.numbers and i not in self.used else None


def _temperature(value: float, unit: str | None) -> tuple[float, str] | None:
    """(°C, as shown) for a temperature in °C or °F, the scale guessed from the value if not given."""
    bounds = data()["plausible"]
    celsius_ok, fahrenheit_ok = _in(value, bounds["temperature_c"]), _in(value, bounds["temperature_f"])
    if unit == "celsius" or (unit != "fahrenheit" and celsius_ok):
        return (value, f"{_fmt(value)} °C") if celsius_ok else None
    if fahrenheit_ok:
        return round((value - 32) * 5 / 9, 2), f"{_fmt(value)} °F"
    return None


def _glucose(value: float, unit: str | None, written: str) -> tuple[float, str] | None:
    bounds = data()["plausible"]
    if unit == "mmol" or (unit is None and "." in written and value < MAX_UNITLESS_MMOL) or (
            unit is None and "," in written and value < MAX_UNITLESS_MMOL):
        return (round(value * MGDL_PER_MMOL, 1), f"{_fmt(value)} mmol/L") if _in(value, bounds["glucose_mmol"]) \
            else None
    if unit is None and value < MIN_UNITLESS_MGDL:
        return None
    return (value, f"{_fmt(value)} mg/dL") if _in(value, bounds["glucose_mgdl"]) else None


def _lab(measure: str, value: float, unit: str | None, written: str) -> Reading | None:
    """A laboratory value in the unit the thresholds use (Hb "65 g/L" is 6.5 g/dL, creatinine
    "354 umol/L" 4.0 mg/dL), shown as written; None when no body can have it."""
    divisor = data()["labs"]["divide"].get(measure, {}).get(unit or "")
    standard = round(value / divisor, 2) if divisor else value
    if not _in(standard, data()["plausible"][measure]):
        return None
    shown = f"{written} {_UNIT_SHOWN[unit]}" if divisor else f"{_fmt(value)}{_SUFFIX[measure]}"
    return Reading(measure, standard, shown=shown)


_UNIT_SHOWN = {"gl": "g/L", "umol": "umol/L"}


def _interpret(scan: _Scan, measure: str, i: int, strong: bool) -> Reading | Implausible | None:
    """The reading at number token ``i`` given as ``measure``; implausible values only when the text
    clearly meant that measure (``strong``), else nothing."""
    value = scan.numbers[i]
    second_at = scan.pair(i, dash=True) if measure == "bp" else None
    last = second_at if second_at is not None else i
    unit, unit_last, _ = scan.unit(last)
    written = _ascii(scan.tokens[i].text)
    shown = written if second_at is None else f"{written}/{_ascii(scan.tokens[second_at].text)}"
    scan.used.update({i, last, unit_last})
    bounds = data()["plausible"]
    reading: Reading | None = None
    if measure == "temperature":
        found = _temperature(value, unit)
        if found:
            reading = Reading(measure, found[0], shown=found[1])
    elif measure == "glucose":
        found = _glucose(value, unit, written)
        if found:
            reading = Reading(measure, found[0], shown=found[1])
    elif measure == "bp":
        second = scan.numbers[second_at] if second_at is not None else None
        if _in(value, bounds["systolic"]) and (
                second is None or (_in(second, bounds["diastolic"]) and second < value)):
            reading = Reading(measure, value, second, f"{shown} mmHg")
    elif measure in LAB_MEASURES:
        reading = _lab(measure, value, unit, written)
    elif _in(value, bounds[measure]):
        reading = Reading(measure, value, shown=f"{_fmt(value)}{_SUFFIX[measure]}")
    if reading is not None:
        return reading
    if not strong:
        scan.used.difference_update({i, last, unit_last})
        return None
    return Implausible(measure, shown)


def _weak_too_small(measure: str, value: float) -> bool:
    """A weak keyword's number below any plausible value is something else ("bukhar 2 baar")."""
    low = {"temperature": data()["plausible"]["temperature_c"][0], "resp_rate": data()["plausible"]["resp_rate"][0]}
    return value < low.get(measure, 0)


def _largest(measure: str) -> float:
    bounds = data()["plausible"]
    return max(b[1] for name, b in bounds.items() if name.startswith(measure) or
               (measure == "bp" and name == "systolic"))


@lru_cache(maxsize=1)
def _single_digit_keywords() -> dict[str, frozenset[tuple[str, ...]]]:
    config = data()["single_digit_keywords"]
    return {measure: frozenset(phrase_key(form) for form in forms)
            for measure, forms in config.items() if measure != "about"}


def _single_digit_keyword(measure: str, key: tuple[str, ...]) -> bool:
    """Whether the keyword is a clinical name after which a single digit is a reading ("RR 8", NEWS2)."""
    return key in _single_digit_keywords().get(measure, frozenset())


def read_vitals(text: str | None) -> Vitals:
    """Every reading in ``text`` (in order of appearance) and every implausible value to ask again."""
    return _read(text or "")


@lru_cache(maxsize=1)
def _ambiguous_words() -> frozenset[str]:
    return frozenset(key for form in data()["ambiguous_number_words"] for key in phrase_key(form))


def _with_digits(text: str, tokens: list[Token]) -> str:
    """``text`` with readings said in words written as digits ("bukhar ek sau chaar" -> "bukhar 104").

    A number of several words is always a number; a single word only from ``MIN_READING`` up and
    when it is not also an everyday word ("sugar ke saath" is "with", "assi" is Punjabi "we").
    """
    spelled = [n for n in spelled_numbers(tokens) if n.value >= MIN_READING and (
        n.parts > 1 or tokens[n.first].key not in _ambiguous_words())]
    for number in reversed(spelled):
        text = f"{text[:tokens[number.first].start]}{_fmt(number.value)}{text[tokens[number.last].end:]}"
    return text


@lru_cache(maxsize=512)
def _read(text: str) -> Vitals:
    tokens = tokenize(text)
    spelled = _with_digits(text, tokens)
    if spelled != text:
        text, tokens = spelled, tokenize(spelled)
    if not any(t.text[:1].isdigit() for t in tokens):
        return Vitals(_meter_display(text, tokens))
    scan = _Scan(text, tokens)
    weak = {"fever": "temperature"}
    found: list[tuple[int, Reading | Implausible]] = []

    def take(measure: str, i: int | None, strong: bool, named: bool = False, proof: bool = False) -> None:
        if i is None or i in scan.used or scan.is_duration(i):
            return
        value = scan.numbers[i]
        decimal = "." in scan.tokens[i].text or "," in scan.tokens[i].text
        if proof and not scan.ends_value(i) and not decimal:
            return  # "khoon 5 baar", "K 7 baje": a count or a time, not a laboratory value
        per_minute = measure == "resp_rate" and scan.unit(i)[0] in ("per_minute", "breaths")
        if value < MIN_READING and not decimal and not (per_minute or named or measure in LAB_MEASURES):
            return  # "sugar ki 2 goli", "pulse 1 minute mein": a single digit is no reading ("RR 6/min", "RR 8" are)
        if not strong and _weak_too_small(measure, value):
            return
        # "bukhar 1040": whatever the keyword, a number far beyond any reading is asked back
        got = _interpret(scan, measure, i, strong or (value > _largest(measure) and not proof))
        if got is not None:
            found.append((i, got))

    # A keyword proves the measure unless it is weak ("bukhar", "saans") or a single letter ("T 20"
    # may be cricket, "P" a page): those only give values a body can have (or far beyond, asked again).
    labels = [(m, weak.get(m.label, m.label),
               m.label not in data()["weak_keywords"] and scan.span_length(m) > 1) for m in scan.keywords]
    for keyword, measure, strong in labels:  # "temp 103", "BP: 160/110", "sugar level 450", "RR 8", "Hb 5"
        proof = scan.key_of(keyword) in _lab_words("after_proof")
        take(measure, scan.after(keyword), strong and not proof, _single_digit_keyword(measure, scan.key_of(keyword)),
             proof)
    for keyword, measure, _ in labels:  # "103 bukhar", "130 ki nabz": plausible values only (no lab: "5 khoon")
        if scan.span_length(keyword) > 1 and measure not in LAB_MEASURES:
            take(measure, scan.before(keyword), False)
    for i in sorted(scan.numbers):  # a unit alone says what it is: "102°F", "38 mg/dl", "160/110 mmHg"
        if i in scan.used or scan.is_duration(i):
            continue
        pair = scan.pair(i)
        unit, _, proof = scan.unit(pair if pair is not None else i)
        measure = data()["unit_measures"].get(unit or "")
        if measure:
            take(measure, i, proof)
        elif pair is not None:  # "164/112": blood pressure when both numbers fit
            take("bp", i, False)
    found.sort(key=lambda item: item[0])
    found = _join_diastolic(found)
    return Vitals(
        tuple(r for _, r in found if isinstance(r, Reading)) + _meter_display(text, tokens),
        tuple(r for _, r in found if isinstance(r, Implausible)),
    )


def _join_diastolic(found: list[tuple[int, Reading | Implausible]]) -> list[tuple[int, Reading | Implausible]]:
    """"systolic 160 diastolic 110", "upar wala 160, neeche wala 110": a diastolic value read on its own
    completes the blood pressure read before it (one reading, 160/110); without one it stays a
    diastolic value, which the pregnancy thresholds test on its own."""
    joined: list[tuple[int, Reading | Implausible]] = []
    for at, item in found:
        if isinstance(item, Reading) and item.measure == "diastolic":
            open_bp = next((k for k in range(len(joined) - 1, -1, -1) if isinstance(joined[k][1], Reading)
                            and joined[k][1].measure == "bp" and joined[k][1].second is None
                            and item.value < joined[k][1].value), None)
            if open_bp is not None:
                first, bp = joined[open_bp]
                joined[open_bp] = (first, Reading("bp", bp.value, item.value,
                                                  f"{_fmt(bp.value)}/{_fmt(item.value)} mmHg"))
                continue
        joined.append((at, item))
    return joined


@lru_cache(maxsize=1)
def _display_words() -> dict[str, str]:
    config = data()["meter_display"]
    return {key: side for side in ("low", "high") for form in config[side] for key in phrase_key(form)}


def _meter_display(text: str, tokens: list[Token]) -> tuple[Reading, ...]:
    """A glucometer's "LO"/"HI" screen ("glucometer pe LO aa raha", "sugar HI on the meter"): just
    beyond the meter's range, below 20 or above 600 mg/dL. Only after a glucose keyword, and only when
    a glucose meter is named or the word is written in capitals as the screen shows it: "sugar low hai"
    is what a person feels, "sugar hi hai" is Hindi ("it is only sugar")."""
    words = _display_words()
    if not any(t.key in words for t in tokens):
        return ()
    device = "glucose" in devices_mentioned(text)
    config = data()["meter_display"]
    keywords = [m for m in _keywords().find(tokens) if m.label == "glucose"]
    keywords += [m for m in _devices().find(tokens) if m.label == "glucose"]
    for keyword in sorted(keywords, key=lambda m: m.first):
        for skipped, i in enumerate(range(keyword.last + 1, len(tokens))):
            side = words.get(tokens[i].key)
            if side and (device or tokens[i].text.isupper()):
                value = config[f"{side}_value"]
                return (Reading("glucose", float(value), shown=f"{tokens[i].text} ({'<' if side == 'low' else '>'}"
                                f"{value + 1 if side == 'low' else value - 1} mg/dL)"),)
            if tokens[i].key not in _connectors() or skipped >= MAX_CONNECTORS:
                break
    return ()


# ---------------------------------------------------------------------------------------- thresholds


@dataclass(frozen=True)
class Rule:
    id: str
    level: str
    code: str
    sources: tuple[str, ...]
    conditions: tuple[tuple[str, str, float], ...]
    limit: str
    message: str
    reason: str
    age_months: tuple[float | None, float | None] | None = None
    adult: bool = False
    pregnant: bool = False
    with_any: frozenset[str] = frozenset()

    def applies(self, months: float | None, adult: bool, pregnant: bool, facts: set[str]) -> bool:
        if self.age_months is not None:
            low, high = self.age_months
            if months is None or (low is not None and months < low) or (high is not None and months >= high):
                return False
        if (self.adult and not adult) or (self.pregnant and not pregnant):
            return False
        return not self.with_any or bool(self.with_any & facts)

    def crossed(self, reading: Reading) -> bool:
        values = reading.values()
        return any(m in values and _OPS[op](values[m], bound) for m, op, bound in self.conditions)


@lru_cache(maxsize=1)
def rules() -> tuple[Rule, ...]:
    """The thresholds of ``data/vitals.json``, validated (levels, operators, measures, sources)."""
    loaded = []
    sources = data()["sources"]
    for item in data()["thresholds"]:
        conditions = tuple((m, op, float(v)) for m, op, v in item["any"])
        age = item.get("age_months")
        rule = Rule(item["id"], item["level"], item["code"], tuple(item["source"]), conditions, item["limit"],
                    item["message"], item["reason"], tuple(age) if age else None, bool(item.get("adult")),
                    bool(item.get("pregnant")), frozenset(item.get("with_any", ())))
        bad = (rule.level not in LEVELS or any(op not in _OPS for _, op, _ in conditions)
               or any(m not in (*MEASURES, "systolic", "diastolic") for m, _, _ in conditions)
               or not rule.sources or any(s not in sources for s in rule.sources))
        if bad:
            raise ValueError(f"vital-sign rule {rule.id}: bad level, operator, measure or source")
        loaded.append(rule)
    return tuple(loaded)


def _finding(rule_id: str, level: str, code: str, reading: Reading, limit: str, message: str,
             sources: Sequence[str], reason: str) -> Finding:
    source = cite(sources)
    why = f"{reading.measure} {reading.shown}: {reason} Threshold {limit} ({source})."
    return Finding(rule_id, level, code, reading.measure, reading.shown, limit, message, source, why)


def _band(bands: Sequence[Sequence], value: float) -> tuple[int, str, str]:
    """NEWS2 (score, 'low'/'high', limit crossed) of one value."""
    zero = next(k for k, (_, score) in enumerate(bands) if score == 0)
    for k, (upper, score) in enumerate(bands):
        if upper is None or value <= upper:
            if k < zero:
                return score, "low", f"≤{_fmt(upper)}"
            return score, "high", f">{_fmt(bands[k - 1][0])}" if k else ""
    raise AssertionError("the last NEWS2 band is open")  # pragma: no cover


def _news2(readings: Sequence[Reading], facts: set[str]) -> list[Finding]:
    """Single-parameter NEWS2 triggers (3: emergency, 2: urgent) and the aggregate score."""
    config = data()["news2"]
    best: dict[str, tuple[int, str, str, Reading]] = {}
    for reading in readings:
        for measure, value in reading.values().items():
            if measure in config["bands"]:
                score, direction, limit = _band(config["bands"][measure], value)
                if measure not in best or score > best[measure][0]:
                    best[measure] = (score, direction, limit, reading)
    findings = []
    for measure, (score, direction, limit, reading) in best.items():
        if measure in config["single_parameter"] and score >= 2:
            level = "emergency" if score >= 3 else "urgent"
            findings.append(_finding(
                f"news2_{measure}_{direction}", level, config["codes"][measure], reading,
                f"{limit}{_SUFFIX[measure]}", config["messages"][measure][direction], [config["source"]],
                f"NEWS2 {measure} score {score}."))
    if len(best) >= config["min_parameters"]:
        total = sum(score for score, *_ in best.values())
        total += config["consciousness_score"] if facts & set(config["consciousness"]) else 0
        if total >= config["aggregate_emergency"]:
            worst = max(best.values(), key=lambda item: item[0])[3]
            shown = ", ".join(r.shown for r in dict.fromkeys(item[3] for item in best.values()))
            summary = Reading("news2", float(total), shown=shown)
            findings.append(_finding("news2_aggregate", "emergency", config["codes"].get(worst.measure, "fever"),
                                     summary, f"NEWS2 ≥{config['aggregate_emergency']} ({total})",
                                     config["messages"]["aggregate"], [config["source"]],
                                     f"NEWS2 aggregate score {total}."))
    return findings


def _combined(readings: Sequence[Reading], months: float | None, adult: bool, pregnant: bool,
              facts: set[str]) -> list[Finding]:
    """Rules that need several readings together (``combined`` in data/vitals.json): a fever and a fast
    pulse in pregnancy is suspected maternal sepsis though neither alone is an emergency."""
    found = []
    for item in data().get("combined", ()):
        rule = Rule(item["id"], item["level"], item["code"], tuple(item["source"]), (), item["limit"],
                    item["message"], item["reason"], tuple(item["age_months"]) if item.get("age_months") else None,
                    bool(item.get("adult")), bool(item.get("pregnant")), frozenset(item.get("with_any", ())))
        if not rule.applies(months, adult, pregnant, facts):
            continue
        met = [next((r for r in readings for m, v in r.values().items() if m == measure and _OPS[op](v, bound)), None)
               for measure, op, bound in item["all"]]
        if all(met):
            shown = ", ".join(r.shown for r in dict.fromkeys(met))
            found.append(_finding(rule.id, rule.level, rule.code, Reading("combined", 0.0, shown=shown), rule.limit,
                                  rule.message, rule.sources, rule.reason))
    return found


def assess(vitals: Vitals, facts: Iterable[str] = (), age: float | None = None) -> list[Finding]:
    """Thresholds the readings cross for this patient, most urgent first, one per measure.

    ``facts``: symptom codes and red-flag signals present (``pregnant``/``postpartum`` make the
    pregnancy thresholds count); ``age`` in years (None: an adult is assumed, the child-specific
    thresholds need a known age).
    """
    if not vitals.readings:
        return []
    facts = set(facts)
    pregnant = bool(facts & {"pregnant", "postpartum"})
    adult = age is None or age >= data()["news2"]["adult_age"]
    months = None if age is None else age * 12
    found: list[Finding] = []
    for rule in rules():
        if not rule.applies(months, adult, pregnant, facts):
            continue
        for reading in vitals.readings:
            if rule.crossed(reading):
                found.append(_finding(rule.id, rule.level, rule.code, reading, rule.limit, rule.message,
                                      rule.sources, rule.reason))
                break
    found += _combined(vitals.readings, months, adult, pregnant, facts)
    if adult:
        found += _news2(vitals.readings, facts)
    kept: dict[str, Finding] = {}
    for finding in sorted(found, key=lambda f: -LEVELS.index(f.level)):  # stable: data order within a level
        kept.setdefault(finding.measure, finding)
    return list(kept.values())


def assess_text(text: str | None, facts: Iterable[str] = (), age: float | None = None) -> tuple[
        list[Finding], tuple[Implausible, ...]]:
    """Findings and the values to ask again, for one message."""
    vitals = read_vitals(text)
    return assess(vitals, facts, age), vitals.implausible


def vital_flags(text: str, facts: Iterable[str], age: float | None) -> list[tuple[str, str, str]]:
    """(id, symptom code, reason) of each emergency-level finding: the red-flag layer's hook."""
    return [(f"vital_{f.id}", f.code, f.reason) for f in assess(read_vitals(text), facts, age)
            if f.level == "emergency"]


#: Below this a measured temperature is no fever (°C): WHO IMCI chart booklet (2014) counts a fever from
#: 37.5 °C (99.5 °F), the lowest of the fever thresholds the rules use (NICE NG143 and NEWS2 use 38 °C).
FEVER_FROM_C = 37.5


def names_measurement(phrase: str) -> bool:
    """Whether ``phrase`` is only the name of a temperature reading ("temperature", "temp", "तापमान"),
    not a fever word ("bukhar", "fever"): the lexicon also reads "temperature" as a fever, as in
    "she has a temperature"."""
    return phrase_key(phrase) in {phrase_key(form) for form in data()["keywords"]["temperature"]}


def measured_afebrile(text: str | None) -> bool:
    """The text gives a temperature and every temperature it gives is below ``FEVER_FROM_C``
    ("temperature 37.2 C", "temp 98.6"): a measurement, not a fever."""
    temperatures = [r.value for r in read_vitals(text).readings if r.measure == "temperature"]
    return bool(temperatures) and all(value < FEVER_FROM_C for value in temperatures)
