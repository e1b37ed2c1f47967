"""Dosing notations found on Indian prescriptions -> a canonical frequency and times per day.

Handles dose patterns (``1-0-1``, ``1+0+1``, ``1-1-1``, ``0-0-1``, ``1-0-0-1``, ``½-0-½``, OCR's ``l-O-1``),
Latin abbreviations (OD, BD, TDS, QID, HS, SOS, q8h), English phrases, romanised Hindi
("din me do baar", "subah-shaam", "raat ko") and Devanagari/Gurmukhi phrases ("रात को", "ਸਵੇਰੇ"); a time
of day alone is one dose then ("ਸਵੇਰੇ" = 1-0-0, "शाम को" = 0-0-1). A weekly or monthly schedule is no
daily frequency: it is reported as none rather than read as "once daily"; durations ("5 days", "x 5 d", "5/7", "5 din",
"1 week"); and food instructions ("after food", "khane ke baad", "ਖਾਣੇ ਤੋਂ ਬਾਅਦ").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# OCR commonly reads 0 as O/o and 1 as l/I/|/i; a dose slot is one of these or a fraction.
_SLOT = r"(?:[01lIi|oO2½]|1/2)"
_SEP = r"\s*[-–—_=~:+·•.]\s*"  # "1+0+1", "1·0·1" and "1.0.1" are written too
# Dots only when every separator is one ("1.0.1"; "0.5-1-0" is no pattern), and not inside a longer dotted
# number ("2.1.0.1" is a version or a date).
PATTERN_RE = re.compile(rf"(?<![\w/])(?<!\d\.)(?:{_SLOT}(?:\s*\.\s*{_SLOT}){{2,3}}(?![\w/]|\.\d)"
                        rf"|{_SLOT}(?:\s*[-–—_=~:+·•]\s*{_SLOT}){{2,3}}(?![\w/]))")

#: Canonical abbreviation -> times per day (None: as needed, not a daily schedule).
ABBREVIATIONS: dict[str, int | None] = {"OD": 1, "BD": 2, "TDS": 3, "QID": 4, "HS": 1, "SOS": None, "STAT": None}

# Each rule: regex (case-insensitive) -> canonical frequency. Longest/most specific first.
_PHRASES: list[tuple[str, str]] = [
    (r"\bq\.?\s*6\s*h\b|\bevery\s+6\s*(?:hours?|hrs?)\b|\b6\s*[-\s]?(?:hourly|hrly|hrs?ly)\b", "QID"),
    (r"\bq\.?\s*8\s*h\b|\bevery\s+8\s*(?:hours?|hrs?)\b|\b8\s*[-\s]?(?:hourly|hrly|hrs?ly)\b", "TDS"),
    (r"\bq\.?\s*12\s*h\b|\bevery\s+12\s*(?:hours?|hrs?)\b|\b12\s*[-\s]?(?:hourly|hrly|hrs?ly)\b", "BD"),
    (r"\bq\.?\s*24\s*h\b|\bevery\s+24\s*(?:hours?|hrs?)\b", "OD"),
    # "din me teen ..." / "ਦਿਨ ਵਿੱਚ ਤਿੰਨ ...": the number word alone decides; OCR often garbles the last word.
    # "दिन में 2 बार", "ਦਿਨ ਵਿੱਚ 3", "2 baar": the count written as a digit
    (r"(?:\bdin\s*m[ae]i?n?|दिन\s*में|ਦਿਨ\s*ਵਿੱਚ)\s*4(?!\d)|(?<![\d.])4\s*(?:baar|बार|ਵਾਰ)", "QID"),
    (r"(?:\bdin\s*m[ae]i?n?|दिन\s*में|ਦਿਨ\s*ਵਿੱਚ)\s*3(?!\d)|(?<![\d.])3\s*(?:baar|बार|ਵਾਰ)", "TDS"),
    (r"(?:\bdin\s*m[ae]i?n?|दिन\s*में|ਦਿਨ\s*ਵਿੱਚ)\s*2(?!\d)|(?<![\d.])2\s*(?:baar|बार|ਵਾਰ)", "BD"),
    (r"(?:\bdin\s*m[ae]i?n?|दिन\s*में|ਦਿਨ\s*ਵਿੱਚ)\s*1(?!\d)|(?<![\d.])1\s*(?:baar|बार|ਵਾਰ)", "OD"),
    (r"\bdin\s*m[ae]i?n?\s*char|दिन\s*में\s*चार|ਦਿਨ\s*ਵਿੱਚ\s*ਚਾਰ", "QID"),
    (r"\bdin\s*m[ae]i?n?\s*teen|दिन\s*में\s*तीन|ਦਿਨ\s*ਵਿੱਚ\s*ਤਿੰਨ", "TDS"),
    (r"\bdin\s*m[ae]i?n?\s*do\b|दिन\s*में\s*दो|ਦਿਨ\s*ਵਿੱਚ\s*ਦ[ੋੇ]", "BD"),
    (r"\bdin\s*m[ae]i?n?\s*ek\b|दिन\s*में\s*एक|ਦਿਨ\s*ਵਿੱਚ\s*ਇ[ੱ]?ਕ", "OD"),
    (r"\bfour\s*times|\b4\s*times|\bchar\s*baar|चार\s*बार|ਚਾਰ\s*ਵਾਰ", "QID"),
    (r"\bthrice|\bthree\s*times|\b3\s*times|\bteen\s*baar|तीन\s*बार|ਤਿੰਨ\s*ਵਾਰ", "TDS"),
    (r"\btwice|\btwo\s*times|\b2\s*times|\bdo\s*baar|\bsubah[\s-]*shaam|दो\s*बार|सुबह[\s-]*शाम"
     r"|ਦ[ੋੇ]\s*ਵਾਰ|ਸਵੇਰੇ[\s-]*ਸ਼ਾਮ", "BD"),
    (r"\bat\s+bed\s*time\b|\bbedtime\b|\bat\s+night\b|\braat\s+ko\b|\bsone\s+se\s+pehle\b|सोते\s*समय"
     r"|रात\s*को|सोने\s*से\s*पहले|ਸੌਣ\s*ਵੇਲੇ|ਰਾਤ\s*ਨੂੰ", "HS"),
    (r"\bonce|\bone\s*time|\bek\s*baar|एक\s*बार|ਇੱਕ\s*ਵਾਰ|ਇਕ\s*ਵਾਰ", "OD"),
    # A time of day alone: one dose at that time.
    (r"\bin\s+the\s+morning\b|\bevery\s+morning\b|\bsubah\b|\bsubha\b|\bsavere\b|सुबह|सवेरे|ਸਵੇਰੇ|ਸਵੇਰ\b",
     "1-0-0"),
    (r"\bat\s+noon\b|\bafter\s+lunch\b|\bdopahar\b|दोपहर|ਦੁਪਹਿਰ", "0-1-0"),
    (r"\bin\s+the\s+evening\b|\bshaam\b|\bsham\s+ko\b|शाम|ਸ਼ਾਮ|ਸ਼ਾਮ", "0-0-1"),
    (r"\bat\s+night\b|\braat\b|\bnight\b|रात|ਰਾਤ", "HS"),
    # ज़रूरत/पड़ने with or without their nukta, combining or precomposed (OCR gives either; the old
    # 'ज़?जरूरत' asked for a doubled ज and never matched: a dev-set 'ज़रूरत पड़ने पर' lost its SOS, issue #17)
    (r"\bas\s+needed\b|\bwhen\s+required\b|\bif\s+needed\b|\bprn\b|\bzarurat\s+padne\s+par\b"
     r"|(?:ज\u093c?|\u095b)रूरत\s*(?:प(?:ड\u093c?|\u095c)ने|होने)\s*पर|ਲੋੜ\s*ਪੈਣ\s*ਤੇ", "SOS"),
]
_PHRASE_RES = [(re.compile(rx, re.IGNORECASE), canon) for rx, canon in _PHRASES]
# Times of day named together ("subah aur shaam", "morning and night", "ਸਵੇਰੇ ਤੇ ਸ਼ਾਮ", "सुबह दोपहर शाम"):
# one dose at each, so the count of different times is the frequency.
_TIMES_OF_DAY = {
    "morning": r"morning|subah|subha|savere|सुबह|सवेरे|ਸਵੇਰੇ|ਸਵੇਰ",
    "noon": r"noon|afternoon|lunch|dopahar|दोपहर|ਦੁਪਹਿਰ",
    "evening": r"evening|shaam|sham|शाम|ਸ਼ਾਮ|ਸ਼ਾਮ",
    "night": r"night|bed\s*time|raat|रात|ਰਾਤ",
}
_TIME_RE = "|".join(_TIMES_OF_DAY.values())
_JOINER = r"(?:\s*(?:[-,&/+]|\band\b|\baur\b|और|व|ਤੇ|ਅਤੇ)?\s*(?:(?:\bek\b|\bone\b|1|एक|ਇੱਕ|ਇਕ)\s*)?)"
_ONE_TIME = rf"(?<![A-Za-z])(?:{_TIME_RE})s?(?![A-Za-z])"
_TIMES_RE = re.compile(rf"{_ONE_TIME}(?:{_JOINER}{_ONE_TIME}){{1,3}}", re.IGNORECASE)
_BY_COUNT = {2: "BD", 3: "TDS", 4: "QID"}


def _times_of_day(text: str) -> Frequency | None:
    """Two or more different times of day named together: BD, TDS or QID by how many."""
    for m in _TIMES_RE.finditer(text):
        times = {name for name, rx in _TIMES_OF_DAY.items() if re.search(rx, m.group(0), re.IGNORECASE)}
        if len(times) >= 2:
            canon = _BY_COUNT[min(len(times), 4)]
            return Frequency(canon, ABBREVIATIONS[canon], m.span())
    return None
# Weekly/monthly schedules: no daily frequency (never "once" -> OD).
_NOT_DAILY_RE = re.compile(
    r"\b(?:once|one\s*time|1\s*time|twice|ek\s*baar)\s*(?:a|per|every|in\s+a)?\s*(?:week|wk|month|fortnight)\b"
    r"|\bweekly\b|\bmonthly\b|\bfortnightly\b|\bhafte\s*(?:me|mein)\b|हफ़?्ते\s*में|सप्ताह\s*में|ਹਫ਼?ਤੇ\s*ਵਿੱਚ",
    re.IGNORECASE)
_ABBR_RE = re.compile(
    r"(?<![A-Za-z])(O\.?D|0D|B\.?D|B\.?I\.?D|T\.?D\.?S|T\.?I\.?D|Q\.?I\.?D|Q\.?D\.?S|H\.?S|S\.?O\.?S|STAT)(?![A-Za-z])",
    re.IGNORECASE,
)
_ABBR_CANON = {"OD": "OD", "0D": "OD", "BD": "BD", "BID": "BD", "TDS": "TDS", "TID": "TDS", "QID": "QID", "QDS": "QID",
               "HS": "HS", "SOS": "SOS", "STAT": "STAT"}


@dataclass(frozen=True)
class Frequency:
    """``canonical`` is a dose pattern ("1-0-1") or an abbreviation ("BD"); ``span`` locates it."""

    canonical: str
    times_per_day: int | None
    span: tuple[int, int]


def _slot_value(slot: str) -> float:
    slot = slot.strip()
    if slot in {"½", "1/2"}:
        return 0.5
    if slot in {"0", "o", "O"}:
        return 0.0
    if slot == "2":
        return 2.0
    return 1.0


def parse_frequency(text: str) -> Frequency | None:
    """The first dosing notation in ``text``; patterns beat abbreviations beat phrases."""
    m = PATTERN_RE.search(text)
    if m:
        slots = re.split(_SEP, m.group(0))
        values = [_slot_value(s) for s in slots]
        canonical = "-".join("½" if v == 0.5 else str(int(v)) for v in values)
        times = sum(1 for v in values if v > 0)
        return Frequency(canonical, times, m.span())
    if _NOT_DAILY_RE.search(text):
        return None
    m = _ABBR_RE.search(text)
    if m:
        key = re.sub(r"\W", "", m.group(1)).upper()
        canon = _ABBR_CANON[key]
        return Frequency(canon, ABBREVIATIONS[canon], m.span())
    if together := _times_of_day(text):
        return together
    for rx, canon in _PHRASE_RES:
        m = rx.search(text)
        if m:
            times = ABBREVIATIONS[canon] if canon in ABBREVIATIONS else canon.count("1")
            return Frequency(canon, times, m.span())
    return None


_UNIT_DAYS = {"d": 1, "day": 1, "days": 1, "din": 1, "दिन": 1, "ਦਿਨ": 1, "w": 7, "wk": 7, "wks": 7, "week": 7,
              "weeks": 7, "hafte": 7, "hafta": 7, "सप्ताह": 7, "हफ्ते": 7, "हफ़्ते": 7, "ਹਫ਼ਤੇ": 7, "ਹਫਤੇ": 7,
              "m": 30, "month": 30, "months": 30, "mahina": 30, "mahine": 30, "महीना": 30, "महीने": 30, "ਮਹੀਨਾ": 30,
              "ਮਹੀਨੇ": 30}
_DURATION_RE = re.compile(
    r"(?:\bx\s*|×\s*|\bfor\s+|\()?(?<![\d.])(\d{1,3})\s*(" + "|".join(sorted(map(re.escape, _UNIT_DAYS), key=len, reverse=True))
    + r")(?![A-Za-z\u0900-\u0a7f])(?!\s*(?:me\b|mein\b|में|ਵਿੱਚ))",  # "650 din me do baar" is no duration
    re.IGNORECASE,
)
_SLASH_RE = re.compile(r"(?<![\d/])(\d{1,2})\s*/\s*(7|52|12)(?![\d/])")


def parse_duration(text: str) -> int | None:
    """Duration in days: "5 days", "x 5 d", "5 din", "2 weeks", classic "5/7" (days), "2/52" (weeks)."""
    m = _DURATION_RE.search(text)
    if m:
        return int(m.group(1)) * _UNIT_DAYS[m.group(2).lower()]
    m = _SLASH_RE.search(text)
    if m:
        return int(m.group(1)) * {"7": 1, "52": 7, "12": 30}[m.group(2)]
    return None


_INSTRUCTIONS: list[tuple[str, str]] = [
    (r"\bempty\s+stomach\b|\bkhali\s+pet\b|खाली\s*पेट|ਖਾਲੀ\s*ਪੇਟ", "empty stomach"),
    (r"\bbefore\s+(?:food|meals?|breakfast)\b|\bkhane\s+se\s+pehle\b|\bA\.?C\.?\b|खाने\s*से\s*पहले"
     r"|ਖਾਣੇ\s*ਤੋਂ\s*ਪਹਿਲਾਂ|(?:ਤੋਂ|ਤੇ)\s*ਪਹਿਲਾਂ", "before food"),
    (r"\bafter\s+(?:food|meals?|breakfast|lunch|dinner)\b|\bkhane\s+ke\s+baad\b|\bP\.?C\.?\b|खाने\s*के\s*बाद"
     r"|ਖਾਣੇ\s*ਤੋਂ\s*ਬਾਅਦ|(?:ਤੋਂ|ਤੇ)\s*ਬਾਅਦ", "after food"),
    (r"\bwith\s+(?:food|meals?|milk)\b|\bkhane\s+ke\s+saath\b|खाने\s*के\s*साथ|ਖਾਣੇ\s*ਨਾਲ", "with food"),
    (r"\bat\s+bed\s*time\b|\bbefore\s+sleep\b|सोते\s*समय|ਸੌਣ\s*ਵੇਲੇ", "at bedtime"),
]
INSTRUCTION_PATTERNS = [(re.compile(rx, re.IGNORECASE), canon) for rx, canon in _INSTRUCTIONS]


def parse_instructions(text: str) -> str | None:
    """The food/timing instruction, normalised to English ("after food"); None if absent."""
    for rx, canon in INSTRUCTION_PATTERNS:
        if rx.search(text):
            return canon
    return None
