"""Village names as keys: how an ASHA's area (the villages she serves) meets a patient's village.

People write the same village as "Dhuri", "dhuri.", " DHURI " — and in Devanagari or Gurmukhi.
Keys are case-folded, NFC-normalised, with punctuation and extra spaces gone and Indian digits
made ASCII, so those spellings meet. Scripts are not transliterated (no dependable library for
village names): an area lists a village in each script it is written in ("Dhuri, धूरी, ਧੂਰੀ").
"""

from __future__ import annotations

import re
import unicodedata

_DIGITS = str.maketrans("०१२३४५६७८९੦੧੨੩੪੫੬੭੮੯", "01234567890123456789")
_PUNCT = re.compile(r"[^\w\s\u0900-\u0963\u0966-\u0a7f]+")  # keeps matras, drops dandas
MAX_LENGTH = 80


def key(name: str) -> str:
    """The comparable form of a village name ('' when nothing is left)."""
    text = unicodedata.normalize("NFC", name or "").translate(_DIGITS).casefold()
    text = _PUNCT.sub(" ", text)
    return " ".join(text.split())[:MAX_LENGTH]


def parse_area(text: str) -> list[str]:
    """The villages of an area typed as a list ("Dhuri, Kanjhla; ਧੂਰੀ" or one per line), as keys."""
    keys = [key(part) for part in re.split(r"[,;\n|/]+", text or "")]
    return list(dict.fromkeys(k for k in keys if k))
