"""Phrase matching over token keys, tolerant of typos, shared by symptoms, red flags and slots.

Design: typos are corrected *per token* toward the vocabulary of the phrases (rapidfuzz edit
distance, C speed) and phrases are then matched exactly, longest first. Correcting words rather
than fuzzy-matching whole phrases keeps short words safe: tokens of three letters or fewer are never
corrected, the first letter must agree, and known function words ("hai", "nahi", "me") are
protected so they never turn into a symptom word.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from nlu.text import Token, phrase_key, stem


def allowed_edits(word: str) -> int:
    """Edits tolerated for a word of this length: none up to 4 letters, 1 up to 8, else 2.

    Romanised Hindi/Punjabi is dense with near neighbours (data/dama, sasti/susti), so short words
    are never corrected.
    """
    if len(word) <= 4:
        return 0
    return 1 if len(word) <= 8 else 2


def _same_start(a: str, b: str) -> bool:
    """Typos rarely hit the start of a word: Latin words must share two letters, Indic ones one."""
    prefix = 2 if a[:1].isascii() else 1
    return a[:prefix] == b[:prefix]


#: Messages whose matches each matcher keeps (``PhraseMatcher.find``): a message is read by several readers in a
#: row, and a triage reads it again for the urgent rules and the engine's own codes
PLAIN_CACHE = 256


@dataclass(frozen=True)
class PhraseMatch:
    """``label`` found over tokens ``first``..``last`` (inclusive); ``score`` is 1.0 for exact spelling."""

    label: str
    first: int
    last: int
    score: float


class Corrector:
    """Maps an unknown token key to the closest vocabulary word within the allowed edit distance.

    The candidates of a key are the vocabulary words that share its start (``_same_start``), kept in one list per
    start so a miss does not filter the whole initial's list word by word (most of the reader's misses are new
    words, and the symptom and signal matchers each look every one of them up).
    """

    def __init__(self, vocabulary: Iterable[str], protected: Iterable[str] = (), fuzzy: bool = True) -> None:
        words = frozenset(vocabulary)
        self.known = words | frozenset(protected)
        self._by_start: dict[str, list[str]] = {}
        for word in sorted(words) if fuzzy else ():
            if len(word) > 4 and not word.isdigit():
                self._by_start.setdefault(_start(word), []).append(word)
        #: False when no key can ever be corrected (``fuzzy=False`` or no long word): every key maps to itself
        self.fuzzy = bool(self._by_start)
        self.correct = lru_cache(maxsize=8192)(self._correct)

    def _correct(self, key: str) -> tuple[str, float]:
        if key in self.known or key.isdigit():
            return key, 1.0
        limit = allowed_edits(key)
        choices = self._by_start.get(_start(key), ()) if limit else ()
        if not choices:
            return key, 1.0
        found = process.extractOne(key, choices, scorer=Levenshtein.distance, score_cutoff=limit)
        if found is None:
            return key, 1.0
        word, edits, _ = found
        return word, 1.0 - edits / max(len(key), len(word))


def _start(word: str) -> str:
    """The letters ``_same_start`` compares: two of a Latin word, one of an Indic one."""
    return word[: 2 if word[:1].isascii() else 1]


def first_word_sizes(index: Mapping[tuple[str, ...], object]) -> dict[str, tuple[int, ...]]:
    """For each word that starts a phrase of ``index``, the phrase lengths (in words) starting with it, shortest
    first: a matcher looks only at the lengths a token can start, and skips the tokens that start none."""
    sizes: dict[str, set[int]] = {}
    for key in index:
        sizes.setdefault(key[0], set()).add(len(key))
    return {word: tuple(sorted(lengths)) for word, lengths in sizes.items()}


def _greedy(
    keys: Sequence[str], index: Mapping[tuple[str, ...], list[str]], sizes: Mapping[str, Sequence[int]],
    blocked: Sequence[bool] | None,
) -> list[tuple[int, int, list[str]]]:
    """(start, size, labels) of non-overlapping matches of ``index`` covering as many tokens as possible.

    Maximal coverage rather than leftmost-longest: in "pet me bachcha hil nahi raha" the 4-word
    "bachcha hil nahi raha" (baby not moving) must win over the 3-word "pet me bachcha" (pregnant).
    Ties go to fewer matches, then to the earlier and longer one. ``sizes`` (``first_word_sizes`` of
    ``index``): only the lengths of phrases that start with a token's word are tried at that token.
    """
    n = len(keys)
    candidates: dict[int, list[tuple[int, list[str]]]] = {}
    for i, key in enumerate(keys):
        options = []
        for size in sizes.get(key, ()):
            if size > n - i or (blocked and any(blocked[i : i + size])):
                break  # longer phrases overrun the text or a blocked token too
            labels = index.get(tuple(keys[i : i + size]))
            if labels:
                options.append((size, labels))
        if options:
            candidates[i] = options
    if not candidates:
        return []
    # best[i] = (tokens covered, -matches used) from position i on; choice[i] = size taken at i (0: skip)
    best: list[tuple[int, int]] = [(0, 0)] * (n + 1)
    choice = [0] * (n + 1)
    for i in range(max(candidates), -1, -1):
        best[i] = best[i + 1]
        for size, _ in candidates.get(i, ()):
            covered, used = best[i + size]
            option = (covered + size, used - 1)
            if option >= best[i]:  # on a tie, the earlier (then longer) match
                best[i], choice[i] = option, size
    found: list[tuple[int, int, list[str]]] = []
    end = 0
    for i in sorted(candidates):  # the walk from the start, which steps over the tokens a taken match covers
        if i >= end and choice[i]:
            found.append((i, choice[i], dict(candidates[i])[choice[i]]))
            end = i + choice[i]
    return found


class PhraseMatcher:
    """Longest-first, non-overlapping matching of labelled phrases over a token sequence.

    A multi-word phrase also matches its words written together ("sir dard" ~ "sirdard") and
    without apostrophes ("can't" ~ "cant"). One phrase may carry several labels; all are reported.
    With ``fillers``, a second, *loose* pass matches phrases of two or more content words while
    ignoring fillers ("bahut", "hai", "raha") on both sides and comparing word stems, so "baal bahut
    jhad rahe hai" finds "baal jhadna" and "dil tez dhadakta" finds "dil tez dhadak raha".
    Words in ``unstemmed`` are compared whole in that pass: everyday words whose stem is a symptom
    word's ("sahi", right, would stem to "sah", breath, and "sahi nahi" become "saah nahi").
    """

    LOOSE_SCORE = 0.9

    def __init__(
        self,
        phrases: Iterable[tuple[str, str]],
        protected: Iterable[str] = (),
        fuzzy: bool = True,
        fillers: Iterable[str] = (),
        unstemmed: Iterable[str] = (),
    ) -> None:
        self.index: dict[tuple[str, ...], list[str]] = {}
        self.loose_index: dict[tuple[str, ...], list[str]] = {}
        self.fillers = frozenset(fillers)
        self.unstemmed = frozenset(unstemmed)
        for label, phrase in phrases:
            for variant in {phrase, phrase.replace("'", ""), re.sub(r"n ?'? ?t\b", "nt", phrase)}:
                key = phrase_key(variant)
                if not key:
                    continue
                _add(self.index, key, label)
                if len(key) > 1:
                    _add(self.index, ("".join(key),), label)
                loose = tuple(self._stem(word) for word in key if word not in self.fillers)
                if self.fillers and len(loose) > 1:
                    _add(self.loose_index, loose, label)
        self.max_len = max((len(key) for key in self.index), default=1)
        self.loose_max_len = max((len(key) for key in self.loose_index), default=1)
        self.sizes = first_word_sizes(self.index)
        self.loose_sizes = first_word_sizes(self.loose_index)
        vocabulary = {word for key in self.index for word in key}
        self.corrector = Corrector(vocabulary, protected, fuzzy)
        self._plain = lru_cache(maxsize=PLAIN_CACHE)(self._plain_find)

    def corrected(self, tokens: Sequence[Token]) -> list[tuple[str, float]]:
        if not self.corrector.fuzzy:
            return [(token.key, 1.0) for token in tokens]
        return [self.corrector.correct(token.key) for token in tokens]

    def find(
        self,
        tokens: Sequence[Token],
        corrected: Sequence[tuple[str, float]] | None = None,
        skip: Sequence[bool] | None = None,
    ) -> list[PhraseMatch]:
        """Matches in token order; ``skip[i]`` marks tokens already used by an earlier pass.

        Without ``corrected`` and with nothing skipped the matches depend on the token keys alone, and
        the same message is matched again by each reader (red flags, ages and durations, vitals, the
        triage engine): those calls are answered from a small cache of the last messages' keys.
        """
        if corrected is None and not (skip and any(skip)):
            return list(self._plain(tuple(token.key for token in tokens)))
        fixed = list(corrected) if corrected is not None else self.corrected(tokens)
        return self._match(fixed, list(skip) if skip else [False] * len(fixed))

    def _plain_find(self, keys: tuple[str, ...]) -> tuple[PhraseMatch, ...]:
        if self.corrector.fuzzy:
            fixed = [self.corrector.correct(key) for key in keys]
        else:
            fixed = [(key, 1.0) for key in keys]
        return tuple(self._match(fixed, [False] * len(keys)))

    def _match(self, fixed: Sequence[tuple[str, float]], used: list[bool]) -> list[PhraseMatch]:
        """The exact pass, then the loose one between its matches; ``used`` is updated with the exact matches."""
        keys = [word for word, _ in fixed]
        matches: list[PhraseMatch] = []
        for first, size, labels in _greedy(keys, self.index, self.sizes, used):
            score = min(score for _, score in fixed[first : first + size])
            matches.extend(PhraseMatch(label, first, first + size - 1, score) for label in labels)
            used[first : first + size] = [True] * size
        if self.loose_index:
            matches.extend(self._loose(keys, fixed, used))
        return sorted(matches, key=lambda m: (m.first, m.last))

    def _stem(self, key: str) -> str:
        """The word's stem, unless it is an ``unstemmed`` word or its stem would be one: the Punjabi
        "ande" (testicles) stems to "and", and the English "and" then read "red and swollen" (a wasp
        sting) as a swollen testicle, an emergency."""
        if key in self.unstemmed:
            return key
        stemmed = stem(key)
        return key if stemmed in self.unstemmed else stemmed

    def _loose(
        self, keys: Sequence[str], fixed: Sequence[tuple[str, float]], used: Sequence[bool]
    ) -> list[PhraseMatch]:
        """Second pass over content words between already-matched spans (which act as barriers)."""
        matches: list[PhraseMatch] = []
        segment: list[int] = []
        for i in [*range(len(keys)), len(keys)]:
            if i < len(keys) and not used[i]:
                if keys[i] not in self.fillers and not keys[i].isdigit():  # "took 20 sleeping pills"
                    segment.append(i)
                continue
            stems = [self._stem(keys[j]) for j in segment]
            for first, size, labels in _greedy(stems, self.loose_index, self.loose_sizes, None):
                a, b = segment[first], segment[first + size - 1]
                score = min(score for _, score in fixed[a : b + 1]) * self.LOOSE_SCORE
                matches.extend(PhraseMatch(label, a, b, score) for label in labels)
            segment = []
        return matches


def _add(index: dict[tuple[str, ...], list[str]], key: tuple[str, ...], label: str) -> None:
    labels = index.setdefault(key, [])
    if label not in labels:
        labels.append(label)
