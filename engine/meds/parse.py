"""Prescription lines -> structured medications (name, generic, strength, form, schedule).

Names are matched against the knowledge base exactly first, then fuzzily (rapidfuzz) so OCR slips
("Dol0 650", "Augmentn") still resolve; names written in Devanagari or Gurmukhi ("डोलो ६५०", "ਕਰੋਸਿਨ")
are matched phonetically (:mod:`engine.meds.indic`) and then go the same way. A line holding a
medicine may be followed by a line holding only its schedule or instruction (common in
handwritten-style layouts); those are merged.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

from engine.meds.frequency import INSTRUCTION_PATTERNS as _INSTRUCTION_PATTERNS
from engine.meds.frequency import PATTERN_RE, parse_duration, parse_frequency, parse_instructions
from engine.meds.indic import INDIC_RE, ascii_digits, romanise
from engine.meds.kb import Brand, KnowledgeBase, load, normalise

_FORMS = {
    "tab": "tablet", "tabs": "tablet", "tablet": "tablet", "cap": "capsule", "caps": "capsule",
    "capsule": "capsule", "syp": "syrup", "syr": "syrup", "syrup": "syrup", "susp": "suspension",
    "suspension": "suspension", "inj": "injection", "injection": "injection", "oint": "ointment",
    "ointment": "ointment", "cream": "cream", "gel": "gel", "drops": "drops", "drop": "drops",
    "inhaler": "inhaler", "rotacap": "rotacap", "sachet": "sachet", "lotion": "lotion", "spray": "spray",
    "powder": "powder", "pwd": "powder", "soln": "solution", "solution": "solution",
}
_FORM_RE = re.compile(r"\b(" + "|".join(sorted(_FORMS, key=len, reverse=True)) + r")\b\.?", re.IGNORECASE)
_STRENGTH_RE = re.compile(
    r"(\d+(?:\.\d+)?(?:\s*[/+]\s*\d+(?:\.\d+)?)*)\s*(mg|mcg|µg|gm|g|ml|iu|%)(?![a-z])", re.IGNORECASE
)
_TOKEN_RE = re.compile(r"[A-Za-z][A-Za-z\-]*|\d+(?:\.\d+)?")
_STOPWORDS = {"tab", "tablet", "cap", "capsule", "syp", "syrup", "inj", "days", "day", "after", "before", "food",
              "daily", "twice", "once", "for", "with", "and", "the", "take", "mg", "ml", "od", "bd", "tds", "hs",
              "sos", "qid", "dr", "date", "name", "age", "sex", "rx", "adv", "advice"}
FUZZY_CUTOFF = 86.0
# Right after a form word ("Tab", "Cap", "Syp", or OCR's "Tah"/"Tal"/"Fab" for "Tab") the next word is a
# medicine's name on nearly every prescription line, so a name one OCR slip further away still counts
# ("Tab Calpel 500" -> Calpol, "Tab Mentair LC" -> Montair LC: handwriting-style fonts, issue #17). Only
# for names of 6+ letters with the same first letter, and only when no other name comes close.
SLOT_CUTOFF = 80.0
SLOT_MARGIN = 8.0
_FORM_WORD_RE = re.compile(r"(?:" + "|".join(sorted(_FORMS, key=len, reverse=True)) + r"|[TF][ao][bhl8])\.?",
                           re.IGNORECASE)


@dataclass
class Medication:
    """One prescribed medicine; ``generic`` joins combination components with "+"."""

    name: str
    generic: str | None
    strength: str | None = None
    form: str | None = None
    frequency: str | None = None
    times_per_day: int | None = None
    duration_days: int | None = None
    instructions: str | None = None

    @property
    def generics(self) -> list[str]:
        return self.generic.split("+") if self.generic else []

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class _Match:
    name: str
    generics: tuple[str, ...]
    brand: Brand | None
    end: int  # index of the token after the match


@lru_cache(maxsize=1)
def _fuzzy_choices() -> tuple[list[str], list[str]]:
    """Names worth fuzzy matching (>= 5 letters: short names only match exactly) and their kinds."""
    kb = load()
    names, kinds = [], []
    for base in kb.brands_by_base:
        if len(base) >= 5:
            names.append(base)
            kinds.append("brand")
    for alias in kb.alias_to_generic:
        if len(alias) >= 5:
            names.append(alias)
            kinds.append("generic")
    return names, kinds


def _pick_variant(kb: KnowledgeBase, base: str, tokens: list[str], end: int) -> Brand:
    """Among "Telma 20/40/80", pick the one whose number follows the name in the line."""
    variants = kb.brands_by_base[base]
    if end < len(tokens) and tokens[end] in {"0", "O", "o"} and f"{base} d" in kb.brands_by_name:
        return kb.brands_by_name[f"{base} d"]  # OCR reads "Pan D" as "Pan 0"
    if end < len(tokens) and tokens[end].replace(".", "").isdigit():
        for brand in variants:
            if normalise(brand.name) == f"{base} {tokens[end]}":
                return brand
    exact = [b for b in variants if normalise(b.name) == base]
    return exact[0] if exact else variants[0]


def _slot_hit(key: str, names: list[str]) -> tuple[str, float, int] | None:
    """The one name within ``SLOT_CUTOFF`` of ``key`` (see there), or None when none or two are close."""
    if len(key) < 6:
        return None
    best = process.extract(key, names, scorer=fuzz.ratio, score_cutoff=SLOT_CUTOFF - SLOT_MARGIN, limit=2)
    if not best or best[0][1] < SLOT_CUTOFF or best[0][0][0] != key[0]:
        return None
    if len(best) > 1 and best[0][1] - best[1][1] < SLOT_MARGIN:
        return None
    return best[0]


def _lookup(kb: KnowledgeBase, phrase: str, tokens: list[str], end: int, fuzzy: bool,
            slot: bool = False) -> _Match | None:
    key = normalise(phrase)
    if key in kb.brands_by_base:  # first, so "Razo" + "0" (OCR for "D") can still become "Razo D"
        brand = _pick_variant(kb, key, tokens, end)
        return _Match(brand.name, brand.generics, brand, end)
    if key in kb.brands_by_name and key not in kb.alias_to_generic:
        brand = kb.brands_by_name[key]
        return _Match(brand.name, brand.generics, brand, end)
    if key in kb.alias_to_generic:
        generic = kb.alias_to_generic[key]
        return _Match(generic, (generic,), None, end)
    if not fuzzy or len(key) < 5 or key in _STOPWORDS:
        return None
    names, kinds = _fuzzy_choices()
    hit = process.extractOne(key, names, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
    if not hit and slot:
        hit = _slot_hit(key, names)
    if not hit:
        return None
    choice, _score, index = hit
    if kinds[index] == "brand":
        brand = _pick_variant(kb, choice, tokens, end)
        return _Match(brand.name, brand.generics, brand, end)
    generic = kb.alias_to_generic[choice]
    return _Match(generic, (generic,), None, end)


def _ocr_fix(line: str) -> str:
    """Undo OCR's digit-for-letter slips inside words ("Dol0" -> "Dolo", "G1ycomet" -> "Glycomet")."""
    line = re.sub(r"(?<=[A-Za-z])0(?![\d.])", "o", line)
    return re.sub(r"(?<=[A-Za-z])1(?=[A-Za-z])", "l", line)


def _match_at(kb: KnowledgeBase, tokens: list[str], i: int) -> _Match | None:
    """Exact phrases of 3, 2, 1 tokens first; then fuzzy single words, and fuzzy word pairs only when
    clearly better (so "Becosules HS" stays Becosules, not the near-spelled "Becosules Z"). Right after a
    form word the fuzzy match may be looser (``SLOT_CUTOFF``)."""
    for n in (3, 2, 1):
        if i + n <= len(tokens) and (hit := _lookup(kb, " ".join(tokens[i:i + n]), tokens, i + n, fuzzy=False)):
            return hit
    slot = i > 0 and bool(_FORM_WORD_RE.fullmatch(tokens[i - 1]))
    single = _lookup(kb, tokens[i], tokens, i + 1, fuzzy=True, slot=slot)
    if i + 2 <= len(tokens) and not tokens[i + 1][0].isdigit():
        pair_key = normalise(" ".join(tokens[i:i + 2]))
        names, _kinds = _fuzzy_choices()
        pair = process.extractOne(pair_key, names, scorer=fuzz.ratio, score_cutoff=92)
        if pair is None and slot:
            pair = _slot_hit(pair_key, names)
        if pair and (single is None or pair[1] > fuzz.ratio(normalise(tokens[i]), normalise(single.name))):
            return _lookup(kb, " ".join(tokens[i:i + 2]), tokens, i + 2, fuzzy=True, slot=slot)
    return single


def find_medicines(line: str, kb: KnowledgeBase | None = None) -> list[_Match]:
    """Every knowledge-base medicine named in ``line``, longest phrase first, left to right.

    Names written in Devanagari or Gurmukhi ("डोलो ६५०", "ਕਰੋਸਿਨ") are first rewritten to the KB's Latin
    spelling by :func:`engine.meds.indic.romanise`; Latin text goes through unchanged.
    """
    kb = kb or load()
    if INDIC_RE.search(line):
        line = romanise(line, kb)
    tokens = _TOKEN_RE.findall(_ocr_fix(line))
    matches: list[_Match] = []
    i = 0
    while i < len(tokens):
        found = None
        if not tokens[i][0].isdigit() and tokens[i].lower() not in _STOPWORDS:
            found = _match_at(kb, tokens, i)
        if found:
            matches.append(found)
            i = found.end
        else:
            i += 1
    return matches


# Tesseract's usual misreadings of dosing abbreviations: OD as 00/O0/0D, SOS as 505/S0S, B.D. as 8.0./B.0.
_ABBR_FIXES = [
    (re.compile(r"(?<![\w.])[0O][0OD](?![\w.])"), "OD"),
    (re.compile(r"(?<![\w.])[5S][0O][5S](?![\w.])"), "SOS"),
    (re.compile(r"(?<![\w.])[8B]\.\s?[0OD]\.?(?!\w)"), "B.D."),
    (re.compile(r"(?<![\w.])8D(?!\w)"), "BD"),
]


# "010" in its own column (two spaces before it), never a strength such as "Thyronorm 100" or "100 mg".
_BARE_PATTERN = re.compile(r"(?<=\s\s)([01])([01])([01])(?![\w./-])(?!\s*(?:mg|mcg|ml|g|iu|%))", re.IGNORECASE)


# One dose per column: a table with Morning / Afternoon / Night columns prints "1   0   1" (the row rebuild
# writes a column break as three spaces); each cell a lone 0, 1 or ½ between column breaks.
# A cell may carry a remark in brackets beside its dose ("1 (empty stomach)   0   0").
_CELL_NOTE = r"(?:\s+\([^()]{1,40}\))?"
_COLUMN_PATTERN = re.compile(rf"(?<=\s\s)([01½]){_CELL_NOTE}\s{{2,}}([01½]){_CELL_NOTE}\s{{2,}}([01½])(?!\S)")
# A dashed pattern that lost one dash ("11-1" for 1-1-1, "1-01" for 1-0-1), in its own column as above.
_HALF_DASHED = re.compile(r"(?<=\s\s)(?:([01])([01])[-–]([01])|([01])[-–]([01])([01]))(?![\w./-])")


def _schedule(line: str):
    """The frequency on a medicine line, trying OCR repairs: abbreviation slips first, then a dose
    pattern whose dashes were lost ("010" for 0-1-0, "11-1" for 1-1-1) or that a table spread over
    columns ("1   0   1"), only when nothing else was found."""
    fixed = fix_schedule_ocr(line)
    freq = parse_frequency(fixed)
    for rx in (_BARE_PATTERN, _COLUMN_PATTERN, _HALF_DASHED):
        found = rx.search(fixed)
        slots = [g for g in found.groups() if g is not None] if found else []
        if freq is None and slots and "".join(slots) != "000":
            freq = parse_frequency(fixed[:found.start()] + "-".join(slots) + fixed[found.end():])
    return freq


def fix_schedule_ocr(line: str) -> str:
    """Undo OCR slips in dosing abbreviations; used on medicine lines only, where they are unambiguous."""
    for rx, replacement in _ABBR_FIXES:
        line = rx.sub(replacement, line)
    return line


def _strength(line: str) -> str | None:
    m = _STRENGTH_RE.search(ascii_digits(line))
    if not m:
        return None
    unit = m.group(2).lower().replace("gm", "g").replace("µg", "mcg")
    unit = "IU" if unit == "iu" else unit
    amount = re.sub(r"\s+", "", m.group(1))
    return f"{amount}%" if unit == "%" else f"{amount} {unit}"


def _form(line: str) -> str | None:
    m = _FORM_RE.search(line)
    return _FORMS[m.group(1).lower()] if m else None


def parse_line(line: str, kb: KnowledgeBase | None = None) -> Medication | None:
    """A medication from one line, or None when the line names no known medicine."""
    kb = kb or load()
    matches = find_medicines(line, kb)
    if not matches:
        return None
    brand_match = next((m for m in matches if m.brand), None)
    if brand_match:
        name, generics, brand = brand_match.name, list(brand_match.generics), brand_match.brand
    else:
        generics = list(dict.fromkeys(g for m in matches for g in m.generics))
        name, brand = " + ".join(g.title() for g in generics), None
    freq = _schedule(line)
    return Medication(
        name=name,
        generic="+".join(generics),
        strength=_strength(line) or (brand.strength if brand else None),
        form=_form(line) or (brand.form if brand else None),
        frequency=freq.canonical if freq else None,
        times_per_day=freq.times_per_day if freq else None,
        duration_days=parse_duration(line),
        instructions=parse_instructions(line),
    )


_SCHEDULE_WORDS = {"days", "day", "din", "weeks", "week", "for", "after", "before", "food", "meals", "with", "empty",
                   "stomach", "khane", "ke", "se", "baad", "pehle", "d", "x", "me", "mein", "दिन", "में", "ਦਿਨ", "ਵਿੱਚ"}


# A line about the next visit ("Review SOS", "Follow up after 5 days") is no medicine's schedule.
_VISIT_RE = re.compile(r"^\W*(?:review|revisit|follow|f/u|next\s+visit|come\s+back|repeat)", re.IGNORECASE)


def _is_schedule_line(line: str) -> bool:
    """A line made of a schedule only ("TDS — for 14 days — after food"), not prose that happens to
    contain "SOS" or "5 days" ("Review after 5 days or SOS")."""
    if _VISIT_RE.match(line):
        return False
    freq = parse_frequency(line)
    if freq and PATTERN_RE.fullmatch(line[freq.span[0]:freq.span[1]]) and not re.search(r"\d\s*mg\b", line, re.I):
        return True  # a dose pattern ("0-0-1") on a line naming no medicine is that medicine's schedule
    rest = line[:freq.span[0]] + " " + line[freq.span[1]:] if freq else line
    for rx, _canon in _INSTRUCTION_PATTERNS:
        rest = rx.sub(" ", rest)
    words = [w for w in re.findall(r"[A-Za-z\u0900-\u0A7F]+", rest)
             if w.lower() not in _SCHEDULE_WORDS and len(w) > 1]  # single letters: OCR's specks and borders
    return len(words) <= 1 and (freq is not None or parse_duration(line) is not None or
                                parse_instructions(line) is not None)


def _fill_from(med: Medication, line: str) -> None:
    """Complete a medication with schedule details from a continuation line."""
    if med.frequency is None and (freq := _schedule(line)):
        med.frequency, med.times_per_day = freq.canonical, freq.times_per_day
    if med.duration_days is None:
        med.duration_days = parse_duration(line)
    if med.instructions is None:
        med.instructions = parse_instructions(line)


_LOOSE_DAYS_RE = re.compile(r"(?<![\d/.-])(\d{1,2})\s+[\u0900-\u0A7F]{2,4}(?![\u0900-\u0A7F])")


def _loose_duration(line: str) -> int | None:
    """OCR often garbles the Indic word for "days" (दिन -> रिठ); a small number before a short Indic
    word on a medicine line is then still a duration."""
    m = _LOOSE_DAYS_RE.search(line)
    return int(m.group(1)) if m else None


# "No painkillers like Brufen / Disprin", "Avoid Combiflam", "दर्द की दवा न लें": medicines named to be avoided.
_AVOID_RE = re.compile(
    r"^\W*(?:no\s+(?![\d.:])|avoid\b|do\s+not\b|don'?t\b|never\b|stop\b|not\s+to\b)|\bavoid\b|\bdo\s+not\s+(?:take|give|use)\b"
    r"|\bdon'?t\s+(?:take|give|use)\b|\bcontraindicated\b|\ballergic\s+to\b|\ballergy\b"
    r"|न\s*लें|ना\s*लें|से\s*बचें|मत\s*लें|ਨਾ\s*ਲਓ|ਤੋਂ\s*ਬਚੋ|ਨਾ\s*ਖਾਓ", re.IGNORECASE)


def names_to_avoid(line: str) -> bool:
    """Whether a line names medicines NOT to take (advice or allergy), so they are not read as prescribed."""
    return bool(_AVOID_RE.search(line))


def parse_medications(text: str, kb: KnowledgeBase | None = None) -> list[Medication]:
    """All medications in a document's text, one per line naming a medicine, duplicates dropped.

    A line right after a medicine that names none is read as that medicine's schedule only when the
    medicine line itself had no frequency (the two-line layout "Tab X" / "1-0-1 x 5 days").
    """
    kb = kb or load()
    meds: list[Medication] = []
    pending: Medication | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if names_to_avoid(line):
            pending = None
            continue
        med = parse_line(line, kb)
        if med:
            if med.duration_days is None:
                med.duration_days = _loose_duration(line)
            pending = med if med.frequency is None else None
            if not any(m.generic == med.generic and m.name == med.name for m in meds):
                meds.append(med)
            continue
        if pending is not None and _is_schedule_line(fix_schedule_ocr(line)):
            _fill_from(pending, fix_schedule_ocr(line))
            if pending.duration_days is None:
                pending.duration_days = _loose_duration(line)
        pending = None
    return meds
