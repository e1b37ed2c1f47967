"""Hindi-decoded speech shown to a Punjabi speaker: lexicon words first, then Devanagari -> Gurmukhi.

Whisper base barely knows Punjabi; decoding a Punjabi clip as Hindi gives Devanagari that is often
closer to what was said (the two languages share most of the everyday vocabulary; bench/speech.py
measures both ways). The caller still has to read or hear it back in Punjabi, so the text is mapped:

1. symptom words the lexicon (data/symptom_lexicon.tsv) lists in Devanagari become the first
   Gurmukhi form it lists for the same symptom: "खांसी" -> "ਖੰਘ", "पेट दर्द" -> "ਢਿੱਡ ਦਰਦ";
2. the rest is transliterated letter by letter: the Devanagari and Gurmukhi Unicode blocks are laid
   out in parallel (U+0900 + 0x100), so most letters map by offset; the few Devanagari letters
   Gurmukhi lacks get their usual Punjabi spelling (ष -> ਸ਼, ऋ -> ਰਿ, ॉ -> ੌ).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from functools import lru_cache

from config.paths import ROOT

_SPECIAL = {
    "\u0937": "\u0a38\u0a3c",  # ष -> ਸ਼
    "\u090b": "\u0a30\u0a3f",  # ऋ -> ਰਿ
    "\u0943": "\u0a4d\u0a30\u0a3f",  # ृ -> ੍ਰਿ
    "\u0945": "\u0a48", "\u0949": "\u0a4c", "\u0946": "\u0a47", "\u094a": "\u0a4b",  # ॅ ॉ ॆ ॊ
    "\u090d": "\u0a10", "\u0911": "\u0a14", "\u090e": "\u0a0f", "\u0912": "\u0a13",  # ऍ ऑ ऎ ऒ
    "\u0964": "\u0964", "\u0965": "\u0965",  # danda is shared by both scripts
    "\u093d": "",  # avagraha
}


def _block_table(first: int, offset: int, special: dict[str, str]) -> dict[int, str]:
    """A ``str.translate`` table from one Unicode block (128 code points from ``first``) onto the
    parallel one ``offset`` away: each assigned letter to the letter in the same place, nothing
    where that place is empty, and the ``special`` letters as they say. Both directions use it."""
    table: dict[int, str] = {}
    for code in range(first, first + 0x80):
        char = chr(code)
        if char in special:
            table[code] = special[char]
        elif unicodedata.name(char, ""):
            target = chr(code + offset)
            table[code] = target if unicodedata.name(target, "") else ""
    return table


@lru_cache(maxsize=1)
def _letters() -> dict[int, str]:
    return _block_table(0x0900, 0x100, _SPECIAL)


def devanagari_to_gurmukhi(text: str) -> str:
    """Letter-by-letter; nukta letters are decomposed first (क़ -> क + ़ -> ਕ + ਼)."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFD", text).translate(_letters()))


@lru_cache(maxsize=1)
def _lexicon_pairs() -> tuple[tuple[re.Pattern[str], str], ...]:
    """(Devanagari form, the Punjabi lexicon's first Gurmukhi form) per symptom, longest form first."""
    with (ROOT / "data" / "symptom_lexicon.tsv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader((line for line in handle if not line.startswith("#")), delimiter="\t"))
    punjabi: dict[str, str] = {}
    for row in rows:
        gurmukhi = [f for f in row["forms"].split("|") if re.search("[\u0a00-\u0a7f]", f)]
        if row["lang"] == "pa" and gurmukhi:
            punjabi.setdefault(row["code"], gurmukhi[0])
    pairs = [(form, punjabi[row["code"]]) for row in rows if row["lang"] == "hi" and row["code"] in punjabi
             for form in row["forms"].split("|") if re.search("[\u0900-\u097f]", form)]
    pairs.sort(key=lambda pair: -len(pair[0]))
    # Whole words only: the boundaries are "not a Devanagari character" on both sides.
    return tuple((re.compile(rf"(?<![\u0900-\u097f]){re.escape(form)}(?![\u0900-\u097f])"), name)
                 for form, name in pairs)


def hindi_decoded_as_punjabi(text: str) -> str:
    """Devanagari from a Hindi decode of Punjabi speech, as Gurmukhi Punjabi."""
    text = unicodedata.normalize("NFC", text)
    for pattern, name in _lexicon_pairs():
        text = pattern.sub(name, text)
    return devanagari_to_gurmukhi(text)


_GURMUKHI_SPECIAL = {
    "\u0a70": "\u0902",  # tippi -> anusvara
    "\u0a71": "",  # addak (the next consonant doubled): dropped, Hindi spells most such words single
    "\u0a72": "", "\u0a73": "", "\u0a74": "", "\u0a75": "",  # iri, ura, ek onkar, yakash
    "\u0964": "\u0964", "\u0965": "\u0965",
}


@lru_cache(maxsize=1)
def _gurmukhi_letters() -> dict[int, str]:
    return _block_table(0x0A00, -0x100, _GURMUKHI_SPECIAL)


def gurmukhi_to_devanagari(text: str) -> str:
    """Letter by letter (the inverse of :func:`devanagari_to_gurmukhi`): for comparing a Punjabi form
    with Whisper's Devanagari, and for scoring Punjabi words in the script Whisper decodes them in."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFD", text).translate(_gurmukhi_letters()))
