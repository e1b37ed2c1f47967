"""Village names as keys: how an ASHA's area (the villages she serves) meets a patient's village.

People write the same village as "Dhuri", "dhuri.", " DHURI " — and in Devanagari or Gurmukhi.
Keys are case-folded, NFC-normalised, with punctuation and extra spaces gone and Indian digits
made ASCII, so those spellings meet; they are what is stored. Across scripts and romanisations
("Dhuri", "धूरी", "ਧੂਰੀ", "dhoori") stored keys are compared by sound (:func:`same_village`,
``engine.placenames``), so an area need not list a village in each script.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from engine.placenames import sound_key

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


def same_village(name: str, stored: Iterable[str]) -> list[str]:
    """The stored keys that are ``name`` spelt the same way or sounding the same in any script."""
    exact, sound = key(name), sound_key(name)
    return [k for k in stored if k == exact or (sound and sound_key(k) == sound)]
