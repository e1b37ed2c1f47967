"""Medicine names typed in Devanagari or Gurmukhi ("डोलो 650", "ਕਰੋਸਿਨ", "पैरासिटामोल") → the KB's Latin names.

People write brand and generic names phonetically in their own script, with every spelling a phone
keyboard allows (एमोक्सिसिलिन / अमोक्सिसिलिन / ਅਮੋਕਸੀਸਿਲਿਨ). Both sides are reduced to a phonetic key, a
string of consonant symbols (lowercase) and vowel classes (uppercase):

* Latin KB names: c/k/q, soft c → s, soft g → j, ph → f, z → j, w → v, x → ks, ch both k and c; vowels as
  a, e, i, o, u, au, ai, vowel y; silent final e dropped (and the vowel before it may be long);
  abbreviations spelled as letter names ("Pan D" → "pan dee", "ORS" → "o ar es").
* Indic words: Gurmukhi mapped onto the parallel Devanagari block; aspiration dropped, nukta letters to
  their sounds; the dentals त थ द ध and ण ष kept apart from ट ड न स (English t, d, n, s are written with
  the latter, so the former mark native words: है, दवा, ਦੀ, पैंतीस); inherent vowels deleted; matras and
  independent vowels to their own classes (ā, ai, au, ô ... kept apart).

A word, or a run of up to three words ("मेफेनामिक एसिड", "पैन डी"), matches a KB name when a weighted
edit distance between the keys stays under a strict budget that grows with the name's consonant count.
Vowel swaps a phone user makes (English a written ऐ/ए, o written ਾ, i written ाइ) and dropped inner
vowels are cheap; consonant edits cost a whole unit, so names of fewer than five consonants allow none,
and a spelled letter ("डी" in "पैन डी") must match on its own. Candidates come from an index on the
consonant skeleton (exact, or one deletion apart for long names): a word costs a few dictionary lookups.

:func:`romanise` rewrites the recognised names in a line to the KB's Latin spelling (and Indic digits
to ASCII), so the Latin matcher in :mod:`engine.meds.parse` resolves brands, strengths and variants
("पैन 40" → "pan 40" → Pan 40) exactly as for typed Latin.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import product

from engine.meds.kb import KnowledgeBase, normalise

INDIC_RE = re.compile(r"[\u0900-\u0A7F]")
_WORD_RE = re.compile(r"[\u0900-\u0963\u0971-\u097F\u0A01-\u0A65\u0A70-\u0A7F]+")
_GAP_RE = re.compile(r"[\s\-./]*")
_NUMBER_AFTER_RE = re.compile(r"[\s\-]*(\d+(?:\.\d+)?)")
_DIGITS: dict[int, str | None] = {cp: str(i) for base in (0x0966, 0x0A66) for i, cp in enumerate(range(base, base + 10))}
_DIGITS.update({0x200C: None, 0x200D: None})  # zero-width (non-)joiners some keyboards insert

# Gurmukhi sits 0x100 above the parallel Devanagari letters; these few have no counterpart
# (tippi is a nasal; addak doubles the next consonant; ੲ ੳ only carry vowel signs).
_GURMUKHI_SPECIAL = {0x0A70: "\u0902", 0x0A71: "", 0x0A72: "", 0x0A73: "", 0x0A74: "", 0x0A75: ""}
_TO_DEVANAGARI = {cp: _GURMUKHI_SPECIAL.get(cp, chr(cp - 0x100)) for cp in range(0x0A00, 0x0A80)}

# --- Indic side -------------------------------------------------------------------------------------
# Consonant symbols: lowercase, plus T (त थ), D (द ध), N (ण), S (ष). Vowel classes: A ā, R short a
# (independent अ), E e, Q ai, I i/ī, O o, W ô (ऑ), X au, U u/ū (V for ū until merged), Y āi (ाइ, ाय), Z æ (ॅ).
_CONSONANTS = dict(zip("कखगघङचछजझञटठडढणतथदधनपफबभमयरलळवशषसह",
                       "kkggnccjjnttddNTTDDnpfbbmyrllvsSsh", strict=True))
_CONSONANTS.update({"क़": "k", "ख़": "k", "ग़": "g", "ज़": "j", "ड़": "r", "ढ़": "r", "फ़": "f", "य़": "y",
                    "ऩ": "n", "ऱ": "r", "ऴ": "l"})
_NUKTA = {"ज": "j", "फ": "f", "ड": "r", "ढ": "r", "क": "k", "ख": "k", "ग": "g"}
_VOWELS = {"अ": "R", "आ": "A", "इ": "I", "ई": "I", "उ": "U", "ऊ": "V", "ऋ": "rI", "ए": "E", "ऐ": "Q", "ओ": "O",
           "औ": "X", "ऑ": "W", "ऍ": "Z", "ऎ": "E", "ऒ": "O", "ॲ": "Z",
           "ा": "A", "ि": "I", "ी": "I", "ु": "U", "ू": "V", "ृ": "rI", "े": "E", "ै": "Q", "ो": "O", "ौ": "X",
           "ॉ": "W", "ॅ": "Z", "ॆ": "E", "ॊ": "O"}
_NASALS = {"ं", "ँ"}
_KEY_CONSONANTS = frozenset("kgcjtdnmpfbrlvshyTDNS")


def to_devanagari(text: str) -> str:
    """Gurmukhi letters onto their Devanagari counterparts (tippi → anusvara, addak dropped)."""
    return text.translate(_TO_DEVANAGARI)


def ascii_digits(text: str) -> str:
    """Devanagari and Gurmukhi digits to ASCII ("५००" → "500"); zero-width joiners removed."""
    return text.translate(_DIGITS)


def _tidy(symbols: list[str]) -> str:
    """Repeats collapse ("ll", "क्क", addak); n before a labial is m (anusvara in कांबिफ्लेम); the glide
    between a consonant and u goes (English "du" is written ड्यू or डू, "neu" न्यू or ਨਿਊ)."""
    out: list[str] = []
    for i, s in enumerate(symbols):
        if out and out[-1] == s:
            continue
        if s == "y" and out and out[-1] in _KEY_CONSONANTS and symbols[i + 1:i + 2] == ["U"]:
            continue
        if s in "pb" and out and out[-1] == "n":
            out[-1] = "m"
            if len(out) > 1 and out[-2] == "m":
                out.pop()
        out.append(s)
    return "".join(out)


@lru_cache(maxsize=8192)
def indic_key(word: str) -> str:
    """The phonetic key of one Devanagari or Gurmukhi word."""
    chars = to_devanagari(word)
    out: list[str] = []
    for i, ch in enumerate(chars):
        if ch in _CONSONANTS:
            out.append(_CONSONANTS[ch])
        elif ch == "\u093C":  # nukta typed as its own code point: ज़ फ़ ड़
            if i and chars[i - 1] in _NUKTA and out:
                out[-1] = _NUKTA[chars[i - 1]]
        elif ch in _VOWELS:
            out.extend(_VOWELS[ch])
        elif ch in _NASALS:
            out.append("n")
    merged: list[str] = []
    i = 0
    while i < len(out):
        s, nxt = out[i], out[i + 1] if i + 1 < len(out) else ""
        after = out[i + 2] if i + 2 < len(out) else ""
        if s == "A" and (nxt == "I" or (nxt == "y" and after in _KEY_CONSONANTS | {""})):
            merged.append("Y")  # ā + इ, ā + य before a consonant: the English long i (ग्लाइको, थायरो)
            i += 2
        elif s == "I" and nxt == "V":  # ਬਿਊ, ਨਿਊ: "byoo"
            merged.append("U")
            i += 2
        elif s == "V":  # ū (kept apart until here for the rule above)
            merged.append("U")
            i += 1
        elif s == "I" and nxt == "y":  # the glide after i (कैल्शियम, जानुविया) is not in the English spelling
            merged.append("I")
            i += 2
        else:
            merged.append(s)
            i += 1
    return _tidy(merged)


# --- Latin side -------------------------------------------------------------------------------------
_LETTER_NAMES = {
    "a": "E", "b": "bI", "c": "sI", "d": "dI", "e": "I", "f": "Ef", "g": "jI", "h": "Ec", "i": "Y", "j": "jE",
    "k": "kE", "l": "El", "m": "Em", "n": "En", "o": "O", "p": "pI", "q": "kU", "r": "Hr", "s": "Es", "t": "tI",
    "u": "U", "v": "vI", "w": "dHblU", "x": "Eks", "y": "vY", "z": "jEd",
}  # H: a long ā (आर), unlike an English a
# Words of up to three letters read as words, not spelled ("a to z", "Augmentin Duo", "K-Cit").
_SHORT_WORDS = {"to", "tab", "duo", "gel", "met", "sat", "neo", "eye", "pan", "mox", "cit", "dio", "peg"}
_ACRONYMS = {"udca"}
# KB spellings far from how the name is said (and so written) in India, given directly as keys.
_RESPELL = {"iron": "Yrn"}
_VOWEL_DIGRAPHS = {"ee": "I", "ea": "I", "ie": "I", "oo": "U", "ou": "U", "oa": "O", "au": "W", "aw": "W",
                   "ai": "Q", "ay": "Q", "ei": "Q", "ey": "Q"}
_SIMPLE = {"a": "A", "e": "E", "i": "I", "o": "O", "u": "U", "b": "b", "d": "d", "f": "f", "j": "j", "k": "k",
           "l": "l", "m": "m", "n": "n", "p": "p", "r": "r", "s": "s", "t": "t", "v": "v", "z": "j", "w": "v",
           "q": "k", "h": "h"}
_CONSONANT_DIGRAPHS = {"ph": "f", "th": "T", "sh": "s", "gh": "g", "kh": "k", "rh": "r", "dh": "d", "bh": "b",
                       "wh": "v", "ck": "k"}
_FRONT = set("eiy")
_VOWEL_LETTERS = set("aeiou")
_MAGIC_E = {"a": ["A", "Q"], "e": ["E", "I"], "i": ["I", "Y"], "o": ["O"], "u": ["U"]}


def _latin_word(word: str) -> list[list[str]]:
    """Per-sound alternatives for one Latin word (most sounds have one; "ch" is k or c, "qu" kv or ku)."""
    w = word
    magic = None
    if len(w) > 3 and w.endswith("e") and w[-2] not in _VOWEL_LETTERS:
        w = w[:-1]  # silent final e: cetirizine, omeprazole, tide ...
        if w[-2] in _VOWEL_LETTERS and w[-3] not in _VOWEL_LETTERS:
            magic = len(w) - 2  # ... which may lengthen the vowel before: digene "-jeen", glimepiride "-raid"
    elif len(w) > 4 and w.endswith("es") and w[-3] not in _VOWEL_LETTERS:
        w = w[:-2] + "s"  # becosules
    w = w.replace("tion", "sAn")
    out: list[list[str]] = []
    i = 0
    while i < len(w):
        ch, nxt, pair = w[i], w[i + 1:i + 2], w[i:i + 2]
        step = 1
        if i == magic:
            out.append(_MAGIC_E[ch])
        elif ch == "A":  # from "tion"
            out.append(["A"])
        elif pair == "eu":
            out += [["y"], ["U"]]
            step = 2
        elif pair in _VOWEL_DIGRAPHS and not (pair in ("ay", "ey") and w[i + 2:i + 3] in _VOWEL_LETTERS):
            out.append([_VOWEL_DIGRAPHS[pair]])
            step = 2
        elif pair == "ch":
            out.append(["k", "c"])
            step = 2
        elif pair == "qu":
            out += [["k"], ["v", "U"]]  # क्वीन or ਕੁਈਨ
            step = 2
        elif pair == "gu" and w[i + 2:i + 3] in _VOWEL_LETTERS:
            out += [["g"], ["v"]]
            step = 2
        elif pair in _CONSONANT_DIGRAPHS:
            out.append([_CONSONANT_DIGRAPHS[pair]])
            step = 2
        elif ch == "c":
            out.append(["s"] if nxt in _FRONT else ["k"])
        elif ch == "g":
            out.append(["j"] if nxt in _FRONT else ["g"])  # soft before e/i/y: gentamicin, digene
        elif ch == "x":
            out += [["j"]] if i == 0 else [["k"], ["s"]]  # xylometazoline, but amoxicillin
        elif ch == "y":
            glide = nxt in _VOWEL_LETTERS and (i == 0 or w[i - 1] in _VOWEL_LETTERS)
            out.append(["y"] if glide else ["Y"])
        elif ch in _SIMPLE:
            out.append([_SIMPLE[ch]])
        i += step
    return out


def _spelled(word: str) -> bool:
    """Read as letters: "d", "ls", "ors", "dsr", "hctz" (not "to", "gel", "duo")."""
    if not word.isalpha() or word in _SHORT_WORDS:
        return False
    return len(word) <= 3 or word in _ACRONYMS or (len(word) == 4 and not set(word) & set("aeiouy"))


@dataclass(frozen=True)
class Part:
    """One written word of a KB name: its key variants, and whether it is a spelled letter run."""

    variants: tuple[str, ...]
    letters: bool = False


def _forms(word: str) -> list[tuple[Part, ...]]:
    """How one word of a KB name may be written: as a word, or an abbreviation's letter names run
    together ("एलसी") or one word per letter ("एल सी")."""
    if not _spelled(word):
        keys = ["".join(parts) for parts in product(*_latin_word(word))][:4]
        return [(Part(tuple(dict.fromkeys(_tidy(list(k)) for k in keys))),)]
    joined = (Part((_tidy(list("".join(_LETTER_NAMES[c] for c in word))),), letters=True),)
    if len(word) == 1:
        return [joined]
    return [joined, tuple(Part((_LETTER_NAMES[c],), letters=True) for c in word)]


def latin_layouts(name: str) -> list[tuple[Part, ...]]:
    """The ways a normalised KB name may be written in Indic words, at most three words long:
    "pan d" → [(Part(("pAn",)), Part(("dI",), True))]; "ors" → ("OHrEs") or ("O", "Hr", "Es")."""
    if name in _RESPELL:
        return [(Part((_RESPELL[name],)),)]
    layouts = [sum(combo, ()) for combo in product(*(_forms(w) for w in name.split()))]
    return [layout for layout in layouts if len(layout) <= 3]


_SKELETON_FOLD = {"N": "n", "T": "t", "D": "d", "S": "s"}


def skeleton(key: str) -> str:
    """Consonants only, glides y and h left out, dentals, ण and ष as t d n s, repeats collapsed."""
    out: list[str] = []
    for s in key:
        s = _SKELETON_FOLD.get(s, s)
        if s in _KEY_CONSONANTS and s not in "yh" and (not out or out[-1] != s):
            out.append(s)
    return "".join(out)


def consonants(key: str) -> int:
    """How many consonants a key has (glides y and h not counted): what its budget depends on."""
    return sum(1 for s in key if s in _KEY_CONSONANTS and s not in "yh")


# --- weighted distance ------------------------------------------------------------------------------
# (Latin vowel, Indic vowel) → cost; pairs not listed cost 1.
_VCOST = {
    "A": {"A": 0, "R": 0.25, "Q": 0.25, "Z": 0.25, "E": 0.25, "W": 0.5, "X": 0.5, "U": 0.75, "Y": 0.75},
    "E": {"E": 0, "Q": 0.25, "Z": 0.25, "I": 0.5, "R": 0.5, "A": 0.75},
    "I": {"I": 0, "Y": 0.25, "E": 0.5, "Q": 0.5, "R": 0.75},
    "Y": {"I": 0, "Y": 0, "Q": 0.5, "E": 0.5, "A": 0.75},
    "O": {"O": 0, "W": 0, "X": 0.25, "A": 0.5, "U": 0.5, "R": 0.5},
    "U": {"U": 0, "O": 0.5, "R": 0.25, "A": 0.75, "W": 0.75},
    "W": {"W": 0, "X": 0, "O": 0.25, "A": 0.5},
    "Q": {"E": 0, "Q": 0, "Z": 0.25, "Y": 0.5, "I": 0.5, "A": 0.75},
    "H": {"A": 0, "R": 0.5, "W": 0.5},
}
_SHORT_VCOST = {("A", "A"): 0.5, ("A", "R"): 0.25}  # "Pan", "Razo" are written पैन, रेज़ो; पान is betel leaf, साज़ an instrument
_INITIAL_VCOST = {("A", "Q"): 0, ("A", "R"): 0, ("I", "Y"): 0.25}  # ऐस्पिरिन, अल्प्रैक्स, आइबुप्रोफेन
_CONSONANT_SUB = {("n", "m"): 0.5, ("m", "n"): 0.5, ("n", "N"): 0.5, ("t", "T"): 0.5, ("d", "D"): 0.5,
                  ("T", "t"): 0.5, ("s", "S"): 0.5}


def _sub(a: str, b: str, closed: bool, initial: bool) -> float:
    """Cost of writing Latin symbol ``a`` as Indic ``b``; ``closed``: ``a`` is a vowel before a consonant
    in a short name (where an English a is short: पैन, not पान)."""
    if a == b and a in _KEY_CONSONANTS:
        return 0.0
    a_vowel, b_vowel = a not in _KEY_CONSONANTS, b not in _KEY_CONSONANTS
    if a_vowel and b_vowel:
        if closed and (a, b) in _SHORT_VCOST:
            return _SHORT_VCOST[(a, b)]
        if initial and (a, b) in _INITIAL_VCOST:
            return _INITIAL_VCOST[(a, b)]
        return _VCOST[a].get(b, 1.0)
    if not a_vowel and not b_vowel:
        return _CONSONANT_SUB.get((a, b), 1.0)
    return 2.0


def _indel_costs(key: str, indic: bool) -> list[float]:
    """What leaving out each symbol costs. A Latin vowel not written in Hindi is cheap (schwa deletion:
    an English a or u most of all, or the vowel of a last syllable: डाइटर, ਓਂਡਮ), a vowel written in
    Hindi but not in English less so, one at either end of a word is not; the glides y and h are cheap."""
    costs = []
    last = len(key) - 1
    for i, s in enumerate(key):
        if s in _KEY_CONSONANTS:
            costs.append(0.5 if s == "y" else 0.75 if s == "h" else 1.0)
        elif i in (0, last):
            costs.append(1.0)
        elif indic:  # अ/ਅ inside a word only carries a vowel after another (ਮੌਂਟੇਅਰ)
            costs.append(0.25 if s == "R" else 0.75)
        else:
            final_syllable = i == last - 1 and key[last] in _KEY_CONSONANTS
            costs.append(0.25 if s in "AU" or final_syllable else 0.5)
    return costs


def _closed(latin: str, i: int, short: int) -> bool:
    """Whether Latin vowel ``i`` counts as short: in names of up to two consonants when any consonant
    follows (Pan, Avil), of three when two do or the word ends (Axcer, not Januvia)."""
    nxt = latin[i + 1:i + 2]
    if not short or not nxt or nxt not in _KEY_CONSONANTS:
        return False
    return short >= 2 or i + 2 == len(latin) or latin[i + 2] in _KEY_CONSONANTS


def distance(latin: str, indic: str, limit: float = 9.0, short: int = 0) -> float:
    """Weighted edit distance from a Latin-name key to an Indic-word key (asymmetric: the vowel table
    maps English spellings onto the vowels Hindi and Punjabi writers choose for them); inf past ``limit``."""
    del_costs, ins_costs = _indel_costs(latin, False), _indel_costs(indic, True)
    prev = [0.0]
    for c in ins_costs:
        prev.append(prev[-1] + c)
    for i, a in enumerate(latin):
        closed = _closed(latin, i, short)
        cur = [prev[0] + del_costs[i]]
        for j, b in enumerate(indic):
            cur.append(min(prev[j + 1] + del_costs[i], cur[j] + ins_costs[j],
                           prev[j] + _sub(a, b, closed, i == 0 and j == 0)))
        if min(cur) > limit:
            return float("inf")
        prev = cur
    return prev[-1] if prev[-1] <= limit else float("inf")


LETTER_BUDGET = 0.25  # a spelled letter ("डी", "एलसी") allows a vowel nuance only: ਦੀ ("of") is not D


def budget(n_consonants: int) -> float:
    """The largest distance accepted for a name with this many consonants: none of them may change
    below five, so short names match only with small vowel differences."""
    if n_consonants <= 3:
        return 0.25
    if n_consonants == 4:
        return 0.5
    return 1.0 if n_consonants == 5 else 1.5


# --- the index --------------------------------------------------------------------------------------
# Brand names that are ordinary words when written in Hindi or Punjabi (पान/ਪੈਣ/पेन, लूज़ मोशन, पॉज़ ...):
# these count only when a strength follows that makes a known product ("पैन 40"), as do names of a
# single consonant ("एज़ी 500"). "पैन डी" is its own entry and needs none.
AMBIGUOUS = {"pan", "looz", "pause", "candid", "advent", "unwanted", "tide", "nise", "alex", "bandy", "sumo",
             "restyl", "relyte", "tonact", "serta", "envas", "fertyl", "veloz", "zurig", "momate", "celin",
             "mucaine"}


@dataclass(frozen=True)
class Entry:
    target: str  # the KB's normalised Latin name the words are rewritten to
    parts: tuple[Part, ...]
    budget: float
    short: int  # 2: at most two consonants, 1: three, 0: more (see _closed)
    needs_number: bool


@dataclass
class Index:
    exact: dict[tuple[str, int], list[Entry]]  # (skeleton of the words run together, word count)
    near: dict[tuple[str, int], list[Entry]]  # one-deletion neighbourhood of skeletons of 5+
    seen: dict[tuple[str, ...], tuple[Entry, float] | None] = field(default_factory=dict)  # memo of lookups

    def match(self, keys: tuple[str, ...]) -> tuple[Entry, float] | None:
        if keys not in self.seen:
            if len(self.seen) > 50_000:
                self.seen.clear()
            self.seen[keys] = best_match(keys, self)
        return self.seen[keys]


def _deletions(s: str) -> set[str]:
    return {s} | {s[:i] + s[i + 1:] for i in range(len(s))}


def build_index(kb: KnowledgeBase) -> Index:
    """Every generic, alias and brand base of ``kb`` in each way it may be written."""
    exact: dict[tuple[str, int], list[Entry]] = {}
    near: dict[tuple[str, int], list[Entry]] = {}
    for name in sorted(set(kb.alias_to_generic) | set(kb.brands_by_base)):
        if any(ch.isdigit() for ch in name):
            continue
        for parts in latin_layouts(name):
            n_consonants = sum(consonants(p.variants[0]) for p in parts)
            skeletons = {skeleton("".join(v)) for v in product(*(p.variants for p in parts))} - {""}
            if not skeletons:
                continue
            entry = Entry(name, parts, budget(n_consonants), short=max(0, 4 - max(n_consonants, 2)),
                          needs_number=n_consonants < 2 or name in AMBIGUOUS)
            for skel in skeletons:
                exact.setdefault((skel, len(parts)), []).append(entry)
                if len(skel) >= 5:
                    for d in _deletions(skel):
                        near.setdefault((d, len(parts)), []).append(entry)
    return Index(exact, near)


_INDEX: tuple[KnowledgeBase, Index] | None = None


def index_for(kb: KnowledgeBase) -> Index:
    """The phonetic index of ``kb``, built once per knowledge base object (about 50 ms)."""
    global _INDEX
    current = _INDEX
    if current is None or current[0] is not kb:
        current = _INDEX = (kb, build_index(kb))
    return current[1]


def _part_cost(part: Part, key: str, limit: float, short: int) -> float:
    """The distance of one written word to the closest variant of a name's word, inf past ``limit``."""
    if part.letters:
        limit = min(limit, LETTER_BUDGET)
    best = float("inf")
    for variant in part.variants:
        if abs(len(variant) - len(key)) * 0.25 > min(limit, best):
            continue
        best = min(best, distance(variant, key, min(limit, best), short))
    return best


def best_match(keys: tuple[str, ...], index: Index) -> tuple[Entry, float] | None:
    """The KB name closest to a run of Indic words (their keys), within that name's budget."""
    skel = skeleton("".join(keys))
    if not skel:
        return None
    n = len(keys)
    candidates = list(index.exact.get((skel, n), ()))
    if len(skel) >= 4:
        for d in _deletions(skel):
            candidates += index.near.get((d, n), ())
    best: tuple[Entry, float] | None = None
    for entry in dict.fromkeys(candidates):
        total = 0.0
        for part, key in zip(entry.parts, keys, strict=True):
            total += _part_cost(part, key, entry.budget - total, entry.short)
            if total > entry.budget:
                break
        if total <= entry.budget and (best is None or (total, -len(entry.target)) < (best[1], -len(best[0].target))):
            best = (entry, total)
    return best


@dataclass(frozen=True)
class Found:
    start: int
    end: int
    text: str  # the Indic words as written
    target: str  # the KB's normalised Latin name
    cost: float


def find_names(line: str, kb: KnowledgeBase) -> list[Found]:
    """The Devanagari/Gurmukhi medicine names in ``line`` (digits already ASCII), longest run first."""
    index = index_for(kb)
    words = list(_WORD_RE.finditer(line))
    found: list[Found] = []
    i = 0
    while i < len(words):
        for n in (3, 2, 1):
            window = words[i:i + n]
            if len(window) < n or any(_GAP_RE.fullmatch(line, a.end(), b.start()) is None
                                      for a, b in zip(window, window[1:], strict=False)):
                continue
            hit = index.match(tuple(indic_key(w.group()) for w in window))
            if hit and hit[0].needs_number and not _number_brand(kb, hit[0].target, line, window[-1].end()):
                hit = None
            if hit:
                start, end = window[0].start(), window[-1].end()
                found.append(Found(start, end, line[start:end], hit[0].target, hit[1]))
                i += n
                break
        else:
            i += 1
    return found


def _number_brand(kb: KnowledgeBase, target: str, line: str, end: int) -> bool:
    """A strength right after the name makes a known product ("एज़ी 500" → Azee 500)."""
    m = _NUMBER_AFTER_RE.match(line, end)
    return bool(m) and normalise(f"{target} {m.group(1)}") in kb.brands_by_name


def romanise(line: str, kb: KnowledgeBase) -> str:
    """``line`` with Indic digits in ASCII and every Devanagari/Gurmukhi medicine name replaced by the
    KB's Latin name ("पैन डी १-०-०" → " pan d  1-0-0"); other words are left as they are."""
    line = ascii_digits(line)
    if not INDIC_RE.search(line):
        return line
    for hit in reversed(find_names(line, kb)):
        line = f"{line[:hit.start]} {hit.target} {line[hit.end:]}"
    return line


def generic_of(name: str, kb: KnowledgeBase) -> str | None:
    """The generic an Indic-script generic name or alias stands for ("पैरासिटामोल" → paracetamol), or None."""
    return kb.alias_to_generic.get(normalise(romanise(name, kb)))
