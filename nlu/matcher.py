"""Phrase matching over token keys, tolerant of typos, shared by symptoms, red flags and slots.

Design: typos are corrected *per token* toward the vocabulary of the phrases (rapidfuzz edit
distance, C speed) and phrases are then matched exactly, longest first. Correcting words rather
than fuzzy-matching whole phrases keeps short words safe: tokens of three letters or fewer are never
corrected, the first letter must agree, and known function words ("hai", "nahi", "me") are
protected so they never turn into a symptom word.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from nlu.text import Token, phrase_key


def allowed_edits(word: str) -> int:
    """Edits tolerated for a word of this length: none up to 3 letters, 1 up to 7, else 2."""
    if len(word) <= 3:
        return 0
    return 1 if len(word) <= 7 else 2


@dataclass(frozen=True)
class PhraseMatch:
    """``label`` found over tokens ``first``..``last`` (inclusive); ``score`` is 1.0 for exact spelling."""

    label: str
    first: int
    last: int
    score: float


class Corrector:
    """Maps an unknown token key to the closest vocabulary word within the allowed edit distance."""

    def __init__(self, vocabulary: Iterable[str], protected: Iterable[str] = (), fuzzy: bool = True) -> None:
        words = frozenset(vocabulary)
        self.known = words | frozenset(protected)
        self._by_initial: dict[str, list[str]] = {}
        for word in sorted(words) if fuzzy else ():
            if len(word) > 3 and not word.isdigit():
                self._by_initial.setdefault(word[0], []).append(word)
        self.correct = lru_cache(maxsize=8192)(self._correct)

    def _correct(self, key: str) -> tuple[str, float]:
        if key in self.known or key.isdigit():
            return key, 1.0
        limit = allowed_edits(key)
        choices = self._by_initial.get(key[:1], ())
        if not limit or not choices:
            return key, 1.0
        found = process.extractOne(key, choices, scorer=Levenshtein.distance, score_cutoff=limit)
        if found is None:
            return key, 1.0
        word, edits, _ = found
        return word, 1.0 - edits / max(len(key), len(word))


class PhraseMatcher:
    """Longest-first, non-overlapping matching of labelled phrases over a token sequence.

    A multi-word phrase also matches its words written together ("sir dard" ~ "sirdard").
    One phrase may carry several labels; all are reported for the same span.
    """

    def __init__(
        self, phrases: Iterable[tuple[str, str]], protected: Iterable[str] = (), fuzzy: bool = True
    ) -> None:
        self.index: dict[tuple[str, ...], list[str]] = {}
        for label, phrase in phrases:
            key = phrase_key(phrase)
            if not key:
                continue
            variants = {key, ("".join(key),)} if len(key) > 1 else {key}
            for variant in variants:
                labels = self.index.setdefault(variant, [])
                if label not in labels:
                    labels.append(label)
        self.max_len = max((len(key) for key in self.index), default=1)
        vocabulary = {word for key in self.index for word in key}
        self.corrector = Corrector(vocabulary, protected, fuzzy)

    def corrected(self, tokens: Sequence[Token]) -> list[tuple[str, float]]:
        return [self.corrector.correct(token.key) for token in tokens]

    def find(
        self,
        tokens: Sequence[Token],
        corrected: Sequence[tuple[str, float]] | None = None,
        skip: Sequence[bool] | None = None,
    ) -> list[PhraseMatch]:
        """Matches in token order; ``skip[i]`` marks tokens already used by an earlier pass."""
        fixed = list(corrected) if corrected is not None else self.corrected(tokens)
        keys = [word for word, _ in fixed]
        matches: list[PhraseMatch] = []
        i = 0
        while i < len(keys):
            found = None
            for size in range(min(self.max_len, len(keys) - i), 0, -1):
                if skip and any(skip[i : i + size]):
                    continue
                labels = self.index.get(tuple(keys[i : i + size]))
                if labels:
                    found = size, labels
                    break
            if found is None:
                i += 1
                continue
            size, labels = found
            score = min(score for _, score in fixed[i : i + size])
            matches.extend(PhraseMatch(label, i, i + size - 1, score) for label in labels)
            i += size
        return matches
