"""ASHA command lines → :class:`Command` or :class:`ParseError`, as plain functions.

ASHA workers type on feature phones, in Hindi, Punjabi or English, in any order and with sloppy
spacing, so parsing is forgiving: the first word picks the command (localised keywords and
one-letter short forms, data in ``data/asha/keywords.yml``), then every other token is
classified by what it looks like (a patient code, a number, a sex word, a date) rather than by
position. What cannot be classified is free text (name and village, or symptoms). A line that
still lacks something comes back as a :class:`ParseError` naming the first missing field, so the
reply can be a precise correction ("age missing: REG name age sex village").
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cache

from config.paths import ROOT
from engine.yamlfile import read_yaml

KEYWORDS_FILE = ROOT / "data" / "asha" / "keywords.yml"
COMMANDS = ("reg", "visit", "refer", "list", "done", "preg", "child", "help", "verify")
#: Patient codes: two letters and three digits ("KD472"); letters that look like digits are left out.
CODE_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"
CODE_RE = re.compile(rf"^[{CODE_LETTERS}]{{2}}\d{{3}}$")
_DIGITS = str.maketrans("०१२३४५६७८९੦੧੨੩੪੫੬੭੮੯", "01234567890123456789")
_REF_RE = re.compile(r"^\s*(?:#(\w{1,12})|\[(\w{1,12})\]|(\d{1,6})[).:])\s*")
_DATE_RE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})$")
_ISO_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_AGE_RE = re.compile(r"^(\d{1,3})([^\d]*)$")
_PHONE_RE = re.compile(r"^(?:\+?91|0)?([6-9]\d{9})$")


@dataclass(frozen=True)
class Command:
    name: str
    language: str | None  # the script of the keyword: hi, pa, or None for Latin
    ref: str | None = None
    code: str | None = None
    name_text: str | None = None
    village: str | None = None
    age_years: int | None = None
    age_months: int | None = None
    #: A newborn's age in days (weeks are given as days): the IMCI young-infant rules need it.
    age_days: int | None = None
    sex: str | None = None
    phone: str | None = None
    date: dt.date | None = None
    date_is_lmp: bool = False
    text: str = ""
    number: str | None = None


@dataclass(frozen=True)
class ParseError:
    command: str | None  # None: the first word is no command
    missing: str         # "command", "code", "name", "age", "sex", "village", "symptoms", "date", "number"
    language: str | None
    ref: str | None = None


@dataclass
class _Tokens:
    words: list[str] = field(default_factory=list)


@cache
def keywords() -> dict[str, set[str]]:
    raw = read_yaml(KEYWORDS_FILE)
    return {group: {str(w).casefold() for w in words} for group, words in raw.items()}


def script_language(text: str) -> str | None:
    """'hi' for Devanagari, 'pa' for Gurmukhi, None for Latin (then the ASHA's own language)."""
    for ch in text:
        if "\u0900" <= ch <= "\u097f":
            return "hi"
        if "\u0a00" <= ch <= "\u0a7f":
            return "pa"
    return None


def command_of(word: str) -> str | None:
    """Which command a first word names, if any."""
    w = word.strip(" .,:;-!।").casefold()
    return next((c for c in COMMANDS if w in keywords()[c]), None)


def starts_with_command(text: str) -> bool:
    """Cheap check for the gateway: does any line of this message start with a command word?"""
    for line in text.splitlines():
        _, rest = split_ref(line)
        first = rest.split(maxsplit=1)
        if first and command_of(first[0]):
            return True
    return False


def split_ref(line: str) -> tuple[str | None, str]:
    """An optional client reference in front of a line: '#12 REG …', '[a7] …', '3) …'."""
    m = _REF_RE.match(line)
    if not m:
        return None, line.strip()
    return next(g for g in m.groups() if g), line[m.end():].strip()


def parse_date(token: str) -> dt.date | None:
    token = token.translate(_DIGITS)
    try:
        if m := _DATE_RE.match(token):
            day, month, year = (int(g) for g in m.groups())
            return dt.date(year + 2000 if year < 100 else year, month, day)
        if m := _ISO_RE.match(token):
            return dt.date(*(int(g) for g in m.groups()))
    except ValueError:
        return None
    return None


def _tokens(text: str) -> list[str]:
    return [t for t in re.split(r"[\s,;]+", text.translate(_DIGITS)) if t]


def _sex(token: str) -> str | None:
    w = token.casefold().strip(".")
    if w in keywords()["female"]:
        return "f"
    if w in keywords()["male"]:
        return "m"
    return None


def _age(tokens: list[str], i: int) -> tuple[int | None, int | None, int | None, int]:
    """(years, months, days, tokens used) for an age at ``tokens[i]`` ('25', '25y', '8 mahine',
    '3 weeks', '5 din'); weeks are returned as days."""
    m = _AGE_RE.match(tokens[i])
    if not m:
        return None, None, None, 0
    value, unit = int(m.group(1)), m.group(2).casefold()
    used = 1
    units = keywords()["years"] | keywords()["months"] | keywords()["weeks"] | keywords()["days"]
    if not unit and i + 1 < len(tokens):
        nxt = tokens[i + 1].casefold()
        if nxt in units:
            unit, used = nxt, 2
    if unit in keywords()["months"]:
        return None, value, None, used
    if unit in keywords()["weeks"]:
        return None, None, value * 7, used
    if unit in keywords()["days"]:
        return None, None, value, used
    if unit and unit not in keywords()["years"]:
        return None, None, None, 0
    return (value, None, None, used) if value <= 120 else (None, None, None, 0)


def _code(tokens: list[str]) -> tuple[str | None, list[str]]:
    for i, token in enumerate(tokens):
        if CODE_RE.match(token.upper().strip(".,")):
            return token.upper().strip(".,"), tokens[:i] + tokens[i + 1:]
    return None, tokens


def parse_line(line: str) -> Command | ParseError:
    ref, rest = split_ref(line)
    words = rest.split(maxsplit=1)
    name = command_of(words[0]) if words else None
    language = script_language(rest)
    if name is None:
        return ParseError(None, "command", language, ref)
    body = words[1] if len(words) > 1 else ""
    return _PARSERS[name](name, language, ref, body)


def parse_message(text: str) -> list[Command | ParseError]:
    """One command per non-empty line (an offline batch is several lines)."""
    return [parse_line(line) for line in text.splitlines() if line.strip()]


def _plain(name: str, language: str | None, ref: str | None, body: str) -> Command | ParseError:
    return Command(name, language, ref, text=body.strip())


def _reg(name: str, language: str | None, ref: str | None, body: str) -> Command | ParseError:
    tokens = _tokens(body)
    years = months = days = None
    sex = phone = None
    free: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if phone is None and (m := _PHONE_RE.match(token)):
            phone, i = "+91" + m.group(1), i + 1
            continue
        if years is None and months is None and days is None:
            y, mo, d, used = _age(tokens, i)
            if used:
                years, months, days, i = y, mo, d, i + used
                continue
        if sex is None and (s := _sex(token)):
            sex, i = s, i + 1
            continue
        free.append(token)
        i += 1
    # Commas separate name from village when given ("Sita Devi, 25, F, Dhuri"); else the last word is the village.
    parts = [p.strip() for p in body.translate(_DIGITS).split(",")]
    texts = [p for p in parts if p and not all(_is_structured(t) for t in _tokens(p))]
    if len(texts) >= 2:
        person = " ".join(t for t in _tokens(texts[0]) if not _is_structured(t))
        village = " ".join(t for t in _tokens(texts[-1]) if not _is_structured(t))
    else:
        person = " ".join(free[:-1]) if len(free) > 1 else " ".join(free)
        village = free[-1] if len(free) > 1 else ""
    age = next((a for a in (years, months, days) if a is not None), None)
    for field_name, value in (("name", person), ("age", age),
                              ("sex", sex), ("village", village)):
        if value in (None, ""):
            return ParseError(name, field_name, language, ref)
    return Command(name, language, ref, name_text=person, village=village, age_years=years, age_months=months,
                   age_days=days, sex=sex, phone=phone)


def _is_structured(token: str) -> bool:
    return bool(_PHONE_RE.match(token) or _AGE_RE.match(token) or _sex(token)
                or token.casefold() in keywords()["years"] | keywords()["months"] | keywords()["weeks"]
                | keywords()["days"])


def _with_code(name: str, language: str | None, ref: str | None, body: str,
               needs_text: str | None = None) -> Command | ParseError:
    code, _ = _code(_tokens(body))
    if code is None:
        return ParseError(name, "code", language, ref)
    text = _without_code(body.translate(_DIGITS), code)
    if needs_text and not text:
        return ParseError(name, needs_text, language, ref)
    return Command(name, language, ref, code=code, text=text)


def _without_code(body: str, code: str) -> str:
    """``body`` without the patient code, its punctuation kept: commas and full stops end the reach of a
    "no" ("no flatus since yesterday, vomiting bilious" still vomits), so the triage of a VISIT line reads
    the symptoms as the bot and ``saathi triage`` read the same words (issue #13 item 3)."""
    pattern = rf"(?<![^\s,;]){re.escape(code)}[.,;]?(?![^\s,;])"
    rest = re.sub(pattern, " ", body, count=1, flags=re.IGNORECASE)
    return " ".join(rest.split()).strip(" ,;")


def _visit(name: str, language: str | None, ref: str | None, body: str) -> Command | ParseError:
    return _with_code(name, language, ref, body, needs_text="symptoms")


def _refer(name: str, language: str | None, ref: str | None, body: str) -> Command | ParseError:
    return _with_code(name, language, ref, body)


def _dated(name: str, language: str | None, ref: str | None, body: str) -> Command | ParseError:
    found = _with_code(name, language, ref, body)
    if isinstance(found, ParseError):
        return found
    rest = _tokens(found.text)
    date = next((d for d in map(parse_date, rest) if d), None)
    if date is None:
        return ParseError(name, "date", language, ref)
    lmp = any(t.casefold() in keywords()["lmp"] for t in rest)
    return Command(name, language, ref, code=found.code, date=date, date_is_lmp=lmp)


def _verify(name: str, language: str | None, ref: str | None, body: str) -> Command | ParseError:
    number = next((t for t in _tokens(body) if t.isdigit()), None)
    if number is None:
        return ParseError(name, "number", language, ref)
    return Command(name, language, ref, number=number)


_PARSERS = {"reg": _reg, "visit": _visit, "refer": _refer, "list": _plain, "done": _refer, "preg": _dated,
            "child": _dated, "help": _plain, "verify": _verify}
