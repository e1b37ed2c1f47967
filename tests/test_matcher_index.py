"""The phrase matcher's first-word index, start-bucketed typo correction and per-message cache change its speed,
never what it finds.

``nlu.matcher.PhraseMatcher`` used to try every phrase length at every token, filter the whole vocabulary of a
word's initial for each unknown word, and match a message again for each reader; ``nlu.danger_parts`` tried every
length too. Here the way it was (``reference_find``, ``reference_all_matches``) is compared with the matchers the
reader really builds (every ``PhraseMatcher`` alive after reading), over every own phrase-table message, random
mixes of their words and sentences, and the same words with typos, with and without skipped tokens: the same
labels, spans and scores in the same order.
"""

from __future__ import annotations

import gc
import random
from collections.abc import Sequence
from functools import cache

from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from nlu import danger_parts, red_flags, slots
from nlu.matcher import PhraseMatch, PhraseMatcher, allowed_edits
from nlu.text import tokenize
from tests.test_red_flags_index import mixes, own_texts, own_words


@cache
def long_words(matcher: PhraseMatcher) -> dict[str, list[str]]:
    """The words a typo may be corrected to, in order, by initial (none without typo correction)."""
    words = {word for phrase in matcher.index for word in phrase} if matcher.corrector.fuzzy else set()
    by_initial: dict[str, list[str]] = {}
    for word in sorted(w for w in words if len(w) > 4 and not w.isdigit()):
        by_initial.setdefault(word[0], []).append(word)
    return by_initial


@cache
def reference_correct(matcher: PhraseMatcher, key: str) -> tuple[str, float]:
    """The correction as it was: the vocabulary words of the key's initial, filtered by their first letters."""
    if key in matcher.corrector.known or key.isdigit():
        return key, 1.0
    prefix = 2 if key[:1].isascii() else 1
    choices = [w for w in long_words(matcher).get(key[:1], ()) if w[:prefix] == key[:prefix]]
    limit = allowed_edits(key)
    if not limit or not choices:
        return key, 1.0
    found = process.extractOne(key, choices, scorer=Levenshtein.distance, score_cutoff=limit)
    if found is None:
        return key, 1.0
    word, edits, _ = found
    return word, 1.0 - edits / max(len(key), len(word))


def reference_greedy(keys: Sequence[str], index: dict, max_len: int, blocked: Sequence[bool] | None) -> list:
    """``nlu.matcher._greedy`` as it was: every length up to ``max_len`` at every token."""
    n = len(keys)
    candidates: list[list] = [[] for _ in range(n)]
    for i in range(n):
        for size in range(1, min(max_len, n - i) + 1):
            if blocked and any(blocked[i : i + size]):
                break
            labels = index.get(tuple(keys[i : i + size]))
            if labels:
                candidates[i].append((size, labels))
    best = [(0, 0)] * (n + 1)
    choice = [0] * (n + 1)
    for i in range(n - 1, -1, -1):
        best[i], choice[i] = best[i + 1], 0
        for size, _ in candidates[i]:
            covered, used = best[i + size]
            option = (covered + size, used - 1)
            if option >= best[i]:
                best[i], choice[i] = option, size
    found, i = [], 0
    while i < n:
        if choice[i]:
            found.append((i, choice[i], dict(candidates[i])[choice[i]]))
            i += choice[i]
        else:
            i += 1
    return found


def reference_find(matcher: PhraseMatcher, keys: Sequence[str], skip: Sequence[bool] | None = None) -> list[PhraseMatch]:
    fixed = [reference_correct(matcher, key) for key in keys]
    fixed_keys = [word for word, _ in fixed]
    used = list(skip) if skip else [False] * len(keys)
    matches = []
    for first, size, labels in reference_greedy(fixed_keys, matcher.index, matcher.max_len, used):
        score = min(score for _, score in fixed[first : first + size])
        matches.extend(PhraseMatch(label, first, first + size - 1, score) for label in labels)
        used[first : first + size] = [True] * size
    if matcher.loose_index:
        segment: list[int] = []
        for i in [*range(len(keys)), len(keys)]:
            if i < len(keys) and not used[i]:
                if fixed_keys[i] not in matcher.fillers and not fixed_keys[i].isdigit():
                    segment.append(i)
                continue
            stems = [matcher._stem(fixed_keys[j]) for j in segment]
            for first, size, labels in reference_greedy(stems, matcher.loose_index, matcher.loose_max_len, None):
                a, b = segment[first], segment[first + size - 1]
                score = min(score for _, score in fixed[a : b + 1]) * matcher.LOOSE_SCORE
                matches.extend(PhraseMatch(label, a, b, score) for label in labels)
            segment = []
    return sorted(matches, key=lambda m: (m.first, m.last))


def reference_all_matches(keys: Sequence[str], index: dict) -> set[tuple[str, int, int]]:
    """``nlu.danger_parts._all_matches`` as it was: every length at every token, overlaps allowed."""
    longest = max((len(key) for key in index), default=1)
    return {(label, i, i + size - 1) for i in range(len(keys)) for size in range(1, min(longest, len(keys) - i) + 1)
            for label in index.get(tuple(keys[i : i + size]), ())}


@cache
def matchers() -> tuple[PhraseMatcher, ...]:
    """Every phrase matcher the readers build (symptoms, signals, parts, negation, numbers, slots, vitals)."""
    for text in own_texts()[:50]:
        red_flags.detect_red_flags(text)
        red_flags.urgent_signs(text)
        slots.parse_age(text), slots.parse_sex(text), slots.parse_yes_no(text), slots.parse_severity(text)
    found = tuple(o for o in gc.get_objects() if isinstance(o, PhraseMatcher))
    assert len(found) >= 12 and any(m.loose_index for m in found) and any(m.corrector.fuzzy for m in found)
    return found


def typo(word: str, rng: random.Random) -> str:
    """A letter dropped, added or replaced after the first two (what the corrector is for)."""
    if len(word) < 5:
        return word
    i, letter = rng.randrange(2, len(word)), rng.choice("aeiounrsthk")
    return rng.choice([word[:i] + word[i + 1 :], word[:i] + letter + word[i:], word[:i] + letter + word[i + 1 :]])


def assert_same(text: str, skip_seed: int | None = None) -> None:
    tokens = tokenize(text)
    keys = [token.key for token in tokens]
    skip = None
    if skip_seed is not None:
        rng = random.Random(skip_seed)
        skip = [rng.random() < 0.2 for _ in tokens]
    for matcher in matchers():
        expected = reference_find(matcher, keys, skip)
        assert matcher.find(tokens, skip=skip) == expected, (text, matcher.index and next(iter(matcher.index)))
        assert matcher.find(tokens, skip=skip) == expected, text  # the second time from the cache, unchanged
    index = danger_parts._index()
    stems = [danger_parts.part_stem(key) for key in keys]
    assert danger_parts._all_matches(keys, index.exact.index, index.exact.sizes) == reference_all_matches(
        keys, index.exact.index), text
    assert danger_parts._all_matches(stems, index.stemmed, index.stemmed_sizes) == reference_all_matches(
        stems, index.stemmed), text


def test_every_own_text_matches_the_same_either_way():
    assert len(own_texts()) > 1000
    for number, text in enumerate(own_texts()):
        assert_same(text, skip_seed=number if number % 3 == 0 else None)


def test_own_texts_with_typos_match_the_same_either_way():
    rng = random.Random(15)
    for text in own_texts():
        assert_same(" ".join(typo(word, rng) for word in text.split()))


def test_a_list_found_may_be_changed_by_its_caller():
    """The cache hands out a new list each time: a caller that edits its matches changes nothing else."""
    text = "mujhe 3 din se bukhar hai aur sir dard"
    found = matchers()[0].find(tokenize(text))
    found.append(PhraseMatch("x", 0, 0, 1.0))
    assert PhraseMatch("x", 0, 0, 1.0) not in matchers()[0].find(tokenize(text))


@settings(max_examples=300, deadline=None)
@given(mixes(), st.one_of(st.none(), st.integers(0, 1000)))
def test_random_mixes_match_the_same_either_way(text, skip_seed):
    assert_same(text, skip_seed)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(own_words()), min_size=1, max_size=14), st.integers(0, 1000))
def test_random_words_with_typos_match_the_same_either_way(words, seed):
    rng = random.Random(seed)
    assert_same(" ".join(typo(word, rng) for word in words))
