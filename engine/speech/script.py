"""Hindi-decoded speech shown to a Punjabi speaker: lexicon words first, then Devanagari -> Gurmukhi.

Whisper base barely knows Punjabi; decoding a Punjabi clip as Hindi gives Devanagari that is often
closer to what was said (the two languages share most of the everyday vocabulary; bench/speech.py
measures both ways). The caller still has to read or hear it back in Punjabi, so the text is mapped:

1. symptom words the lexicon (data/symptom_lexicon.tsv) lists in Devanagari become the first
   Gurmukhi form it lists for the same symptom: "खांसी" -> "ਖੰਘ", "पेट दर्द" -> "ਢਿੱਡ ਦਰਦ";
2. the rest is transliterated letter by letter: the Devanagari and Gurmukhi Unicode blocks are laid
   out in parallel (U+0900 + 0x100), so most letters map by offset (indic-nlp-library's
   ``UnicodeIndicTransliterator``); the few Devanagari letters Gurmukhi lacks get their usual
   Punjabi spelling (ष -> ਸ਼, ऋ -> ਰਿ, ॉ -> ੌ), which the library would leave as unassigned code points.
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
_SPECIAL_TABLE = str.maketrans(_SPECIAL)


def _convert(text: str, source: str, target: str, special: dict[int, str]) -> str:
    """``text`` from ``source``'s script to ``target``'s, letter by letter: nukta letters decomposed
    first (क़ -> क + ़), the ``special`` letters as they say, the rest by indic-nlp-library's offset
    mapping (``UnicodeIndicTransliterator``: the two Unicode blocks are parallel), and a letter whose
    place in the target block is empty dropped (the library would emit an unassigned code point: ष as
    U+0A37 for 13 of the lexicon's 1531 Devanagari forms), then recomposed (NFC)."""
    from indicnlp.transliterate.unicode_transliterate import UnicodeIndicTransliterator

    text = unicodedata.normalize("NFD", text).translate(special)
    text = UnicodeIndicTransliterator.transliterate(text, source, target)
    return unicodedata.normalize("NFC", "".join(ch for ch in text if unicodedata.name(ch, "")))


def devanagari_to_gurmukhi(text: str) -> str:
    """Letter by letter (:func:`_convert`), the letters Gurmukhi lacks in their usual Punjabi spelling."""
    return _convert(text, "hi", "pa", _SPECIAL_TABLE)


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
_GURMUKHI_SPECIAL_TABLE = str.maketrans(_GURMUKHI_SPECIAL)


def gurmukhi_to_devanagari(text: str) -> str:
    """Letter by letter (the inverse of :func:`devanagari_to_gurmukhi`): for comparing a Punjabi form
    with Whisper's Devanagari, and for scoring Punjabi words in the script Whisper decodes them in."""
    return _convert(text, "pa", "hi", _GURMUKHI_SPECIAL_TABLE)
