"""Place names compared by sound across Latin, Devanagari and Gurmukhi ("Dhuri", "धूरी", "ਧੂਰੀ").

People write a village in whatever script their phone gives them, and in Latin letters each in
their own way ("Ludhiana", "ludhiyana"). Listing every spelling of every village by hand does not
scale, so a name is reduced to a *sound key* that the usual spellings share:

1. Gurmukhi is made Devanagari with indic-nlp-library's script converter (the two Unicode blocks
   run in parallel); tippi and addak, which it leaves alone, are first written as the anusvara and
   a doubled consonant they stand for. indic-nlp-library's normaliser then settles nukta and
   vowel-sign variants.
2. Devanagari is romanised with indic-transliteration's ITRANS scheme (offline tables; the
   AI4Bharat transliteration model would need weights that cannot be downloaded here).
3. The romanisation and any Latin spelling are folded the way people's spellings differ: vowel
   length (aa/a, ee/i, oo/u), ch/chh, sh/s, ph/f, z/j, w/v, rh/r, "iya"/"ia", ai/ay/e, "ah"/"eh",
   "-ांव"/"-aon", the anusvara as n, the
   inherent "a" dropped after a word's first letter (Hindi and Punjabi do not say it: "Sangrur", not
   "Sangarura"). Doubled consonants stay ("Khanna" is not "khana", food).

Exact keys only: two names match when their keys are equal, never by a distance, so a
word in a message is not taken for a place it merely resembles.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_GURMUKHI = re.compile("[\u0a00-\u0a7f]")
_DEVANAGARI = re.compile("[\u0900-\u097f]")
_ADDAK = re.compile("\u0a71([\u0a15-\u0a39\u0a59-\u0a5e])")  # ੱ + consonant = that consonant doubled
_TIPPI = "\u0a70"  # ੰ: a nasal, written with the anusvara in Devanagari
_DIGITS = str.maketrans("०१२३४५६७८९੦੧੨੩੪੫੬੭੮੯", "01234567890123456789")

#: ITRANS marks that people spell with a plain letter, applied before lower-casing.
_ITRANS = (("RRi", "ri"), ("RRI", "ri"), (".Dh", "rh"), (".D", "r"), ("~n", "n"), ("~N", "n"), (".N", "n"),
           (".n", "n"), ("M", "n"), ("H", ""), (".a", ""), (".h", ""), ("^", ""))
#: Spelling variants folded to one form, in order (longer patterns first).
_FOLDS = ((r"chh|ch|c", "c"), (r"sh", "s"), (r"ph|f", "f"), (r"z", "j"), (r"q", "k"), (r"w", "v"),
          (r"x", "ks"), (r"rh", "r"), (r"aa", "a"), (r"ee|ii", "i"), (r"oo|uu", "u"),
          (r"ah[ai]?(?=[^aeiou])", "eh"),  # लहरा, ਲਹਿਰਾ, "lehra"; सहने, "sehne"
          (r"ai|ay", "e"), (r"au", "o"), (r"anva?$", "aon"),  # पायल/ਪਾਇਲ/"payal"; जगरांव/"jagraon"
          (r"iy(?=[aeiou])", "i"), (r"m(?=[pb])", "n"), (r"n(?=m)", ""))  # ਅੰਮ੍ਰਿਤਸਰ: tippi + m is mm


@lru_cache(maxsize=1)
def _libraries():
    """indic-nlp-library's converter and normaliser, indic-transliteration's romaniser (loaded once:
    importing the scheme tables takes about a second)."""
    from indic_transliteration import sanscript
    from indicnlp.normalize.indic_normalize import IndicNormalizerFactory
    from indicnlp.transliterate.unicode_transliterate import UnicodeIndicTransliterator

    normaliser = IndicNormalizerFactory().get_normalizer("hi")

    def romanise(devanagari: str) -> str:
        return sanscript.transliterate(normaliser.normalize(devanagari), sanscript.DEVANAGARI, sanscript.ITRANS)

    return UnicodeIndicTransliterator.transliterate, romanise


def gurmukhi_to_devanagari(text: str) -> str:
    """Gurmukhi letters as Devanagari (other characters unchanged): "ਸੰਗਰੂਰ" -> "संगरूर"."""
    convert, _ = _libraries()
    text = _ADDAK.sub(lambda m: m.group(1) + "\u0a4d" + m.group(1), text).replace(_TIPPI, "\u0a02")
    return convert(text, "pa", "hi")


def to_latin(name: str) -> str:
    """A romanisation of ``name`` in any of the three scripts (ITRANS-like, lower case)."""
    text = unicodedata.normalize("NFC", name or "").translate(_DIGITS)
    if _GURMUKHI.search(text):
        text = gurmukhi_to_devanagari(text)
    if _DEVANAGARI.search(text):
        _, romanise = _libraries()
        text = romanise(text)
        for mark, plain in _ITRANS:
            text = text.replace(mark, plain)
    return text.lower()


def _fold(word: str) -> str:
    for pattern, plain in _FOLDS:
        word = re.sub(pattern, plain, word)
    return word[:1] + word[1:].replace("a", "")  # the inherent vowel, and spelt "a"s alike


def sound_key(name: str) -> str:
    """The key that spellings of one place share ("" when nothing is left)."""
    latin = unicodedata.normalize("NFKD", to_latin(name))
    latin = "".join(ch for ch in latin if not unicodedata.combining(ch))  # "Mālerkoṭlā" -> "malerkotla"
    words = re.findall(r"[a-z0-9]+", latin)
    return " ".join(_fold(word) for word in words)


def same_place(a: str, b: str) -> bool:
    """Whether two written names are spellings of the same place name."""
    key = sound_key(a)
    return bool(key) and key == sound_key(b)
