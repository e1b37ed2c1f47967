"""Unicode normalisation, matching keys, tokenisation and script detection for hi/pa/en text.

Why this exists: phone users type the same word many ways. Devanagari and Gurmukhi vowel signs are
combining marks (not ``\\w`` in Python's ``re``), nukta letters arrive precomposed or decomposed,
zero-width joiners sneak in from keyboards, and Latin words get letters repeated for emphasis
("bahuttt", "bukhaaar"). Matching therefore runs on a *key* of each token, while offsets always
refer to the original text so entities can be highlighted.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))

# Letters plus the Devanagari/Gurmukhi blocks (minus the danda punctuation U+0964/U+0965) and the
# zero-width joiners that may sit inside a word. Digits form their own tokens ("3din" -> "3", "din").
_INDIC = "\u0900-\u0963\u0970-\u097f\u0a00-\u0a65\u0a70-\u0a7f"
_WORD = rf"(?:[^\W\d_]|[{_INDIC}\u200c\u200d])+"
_NUMBER = r"\d+(?:[.,]\d+)?"
TOKEN_RE = re.compile(rf"{_NUMBER}|{_WORD}")

_NUKTAS = dict.fromkeys(map(ord, "\u093c\u0a3c"))
# Spelling variation that typists do not hear: candrabindu/anusvara, Gurmukhi tippi/bindi, and the
# Gurmukhi addak (gemination mark), which is often left out.
_FOLD = str.maketrans({"\u0901": "\u0902", "\u0a70": "\u0a02", "\u0a71": None})
_LATIN_REPEAT = re.compile(r"([a-z])\1+")
_LATIN_EMPHASIS = re.compile(r"([a-z])\1{2,}")
# Romanisation variants of one Hindi/Punjabi sound: ee/i (neend, nind), oo/u (doodh, dudh), w/v
# (dawai, davai), ph/f (phool, fool), q/k (taqat, takat), z/j (zyada, jyada).
_LATIN_FOLDS = (("ee", "i"), ("oo", "u"), ("w", "v"), ("ph", "f"), ("q", "k"), ("z", "j"))


@dataclass(frozen=True)
class Token:
    """A word or number: its original ``text``, character offsets in the input, and matching ``key``."""

    text: str
    start: int
    end: int
    key: str


#: Sub- and superscript digits as plain digits ("SpO₂" is "spo2", "O₂" is "o2"); one character each, so
#: offsets do not move.
_SMALL_DIGITS = str.maketrans("₀₁₂₃₄₅₆₇₈₉⁰¹²³⁴⁵⁶⁷⁸⁹", "01234567890123456789")


def normalize(text: str) -> str:
    """NFC, zero-width characters removed, Latin lowercased. Offsets may shift; use for display/logic."""
    return unicodedata.normalize("NFC", text).translate(ZERO_WIDTH).translate(_SMALL_DIGITS).lower()


@lru_cache(maxsize=1 << 16)
def match_key(word: str) -> str:
    """The form used for comparing words: normalised, nukta-folded, romanisation variants folded.

    Letters typed for emphasis go first ("bukhaaar"), then ee/oo/w/ph/q/z are folded, then *every*
    remaining Latin double letter collapses, which merges bukhaar/bukhar and chakkar/chakar. The same
    function is applied to lexicon entries, so only consistency matters, not phonetic accuracy.
    """
    text = unicodedata.normalize("NFD", normalize(word)).translate(_NUKTAS)
    text = "".join(ch for ch in text if not (unicodedata.combining(ch) and ch < "\u0900"))
    text = _LATIN_EMPHASIS.sub(r"\1", unicodedata.normalize("NFC", text).translate(_FOLD))
    for variant, folded in _LATIN_FOLDS:
        text = text.replace(variant, folded)
    return _LATIN_REPEAT.sub(r"\1", text)


_LATIN_SUFFIXES = tuple(
    sorted(
        ["iyan", "iya", "enge", "ega", "egi", "unga", "ungi", "ange", "ugi", "uga", "nda", "ndi", "nde", "ing", "ed", "es", "na", "ni", "ne", "ta", "ti", "te", "da", "di", "de", "ya", "yi", "ye", "a", "i", "e", "s"],
        key=len,
        reverse=True,
    )
)


@lru_cache(maxsize=1 << 16)
def stem(key: str) -> str:
    """A crude stem of a matching key, for loose phrase matching only: verb and gender endings go.

    Romanised: machlana/machla, dhadakta/dhadakda, lagti/lagdi, ulti/ulte. Indic: up to two final
    vowel signs or nasal marks (पीली/पीला, ਦੁਖਦਾ/ਦੁਖਦੀ). Stems are never shorter than three letters.
    """
    if key.isascii():
        stripped = True
        while stripped:  # machlana -> machla -> machl, like machla -> machl
            stripped = False
            for suffix in _LATIN_SUFFIXES:
                if key.endswith(suffix) and len(key) - len(suffix) >= 3:
                    key, stripped = key[: -len(suffix)], True
                    break
        return key
    trimmed = key
    for _ in range(2):
        if len(trimmed) > 3 and unicodedata.category(trimmed[-1]).startswith("M"):
            trimmed = trimmed[:-1]
    return trimmed


def tokenize(text: str) -> list[Token]:
    """Words and numbers of ``text`` with offsets into ``text`` itself; vowel signs stay in their words.

    A new list each call, of the tokens kept for the last messages: every reader of a message (red flags, its
    ages and durations, vitals, the safety net, the triage engine) tokenises it again.
    """
    return list(_tokens(text))


@lru_cache(maxsize=256)
def _tokens(text: str) -> tuple[Token, ...]:
    return tuple(Token(m.group(), m.start(), m.end(), match_key(m.group())) for m in TOKEN_RE.finditer(text))


def phrase_key(text: str) -> tuple[str, ...]:
    """The token keys of a lexicon phrase (``tokenize``'s keys, without making its tokens: the
    matchers call this for every form of every lexicon when a process first reads a message)."""
    return tuple(match_key(m.group()) for m in TOKEN_RE.finditer(text))


def char_script(ch: str) -> str | None:
    """``Deva``, ``Guru`` or ``Latn`` for a letter or Indic vowel sign; ``None`` for anything else (digits, marks, punctuation)."""
    code = ord(ch)
    if 0x0900 <= code <= 0x0A7F:
        # Vowel signs are written characters too: counting them keeps "मुझे fever है" Devanagari.
        if not (ch.isalpha() or unicodedata.category(ch).startswith("M")):
            return None
        return "Deva" if code <= 0x097F else "Guru"
    if ch.isalpha() and ("a" <= ch.lower() <= "z" or 0x00C0 <= code <= 0x024F):
        return "Latn"
    return None


def script_counts(text: str) -> dict[str, int]:
    counts = {"Deva": 0, "Guru": 0, "Latn": 0}
    for ch in text:
        script = char_script(ch)
        if script:
            counts[script] += 1
    return counts


def detect_script(text: str) -> str:
    """The script of the majority of letters; ``Latn`` when there are none (digits, emoji, empty)."""
    counts = script_counts(text)
    best = max(counts, key=lambda name: (counts[name], name == "Latn"))
    return best if counts[best] else "Latn"
