"""The parts danger signs are built from: body sites, injuries, qualities, extents, triggers, people.

A danger sign is rarely one fixed phrase. "मेरे बेटे का पूरा हाथ और छाती जल गई" is a burn (injury) of
the hand and chest (sites) that is extensive ("पूरा"); "something bit him in the field at night, two
marks, swelling" is a bite (injury) with fang marks and local swelling in a snake setting. So the
red-flag rules (``nlu.red_flags``) combine small vocabularies, each listed once per language and
script in ``data/lexicon/danger_parts.tsv``, instead of listing every sentence. This module finds
those parts in a message, with their token spans and whether each is denied or said to be
impossible ("bachcha doodh nahi kheench raha", "can't open his mouth"): an absent part is a fact
of its own (``!feed``), because inability is often the danger sign.

Matching: every form is matched exactly on the token keys of ``nlu.text`` (spelling variants folded,
no typo correction: parts are short, common words, and a corrected "fewer" would be a "fever");
multi-word forms also match word stems ("jal gaya" ~ "jal gayi", "ਸਰੀਰ ਆਕੜਦਾ" ~ "ਸਰੀਰ ਆਕੜ"); a single
word ending in ``*`` matches any word with its stem ("jhulas*" ~ "jhulsa"). Parts may overlap each
other (a word can be a site and part of a longer phrase), unlike symptom matching. ``@list:key`` in
a forms column pulls in a word list of ``data/lexicon/<list>.tsv`` (pain and swelling words, snake
names), so those stay in one place.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from nlu.matcher import PhraseMatcher, first_word_sizes
from nlu.negation import clause_ids, negation_flags
from nlu.resources import LEXICON_DIR, read_tsv, unstemmed_words, word_list
from nlu.text import Token, phrase_key, stem

PARTS_PATH = LEXICON_DIR / "danger_parts.tsv"
# Cues of inability: "can't open" (before the verb, a few words), "nahi kheench raha", "nahi jala"
# (a Hindi/Punjabi negator right before its verb) and "pee nahi pa raha", "ਖੋਲ੍ਹ ਨਹੀਂ ਹੁੰਦਾ" (after
# it). They only apply to the parts that are actions, never to a body part ("munh nahi khul raha").
UNABLE_PRE, UNABLE_POST, NEG_VERB = "unable_pre", "unable_post", "neg_verb"
VERB_PARTS = frozenset({"feed", "open_word", "speak", "full_sentence", "fetal_movement", "burn", "bite", "ingest"})
# Parts that only say where or when (body sites, sides, durations, settings) have no polarity: in
# "munh nahi khul raha" the mouth is there, in "not peed for 24 hours" the 24 hours are.
PLACE_PREFIXES = ("site_", "side_")
PLACE_PARTS = frozenset({"limb", "back", "one_only", "duration_day", "snake_setting", "bp_word", "elderly_person", "newborn"})
UNABLE_REACH = 3  # tokens between an inability cue and its verb ("can't [fully] open", "khol [hi] nahi pa raha")


@dataclass(frozen=True)
class Mention:
    """A part (or symptom/signal) found over tokens ``first``..``last``; ``negated``: denied or impossible."""

    label: str
    first: int
    last: int
    negated: bool


@lru_cache(maxsize=1)
def part_rows() -> tuple[tuple[str, str, str], ...]:
    """``(key, lang, form)`` for every form in the parts file, ``@list:key`` references expanded."""
    rows: list[tuple[str, str, str]] = []
    for row in read_tsv(PARTS_PATH):
        for form in (f.strip() for f in row["forms"].split("|")):
            if form.startswith("@"):
                listed, _, key = form[1:].partition(":")
                rows.extend((row["key"], row["lang"], item) for item in word_list(listed)[key])
            elif form:
                rows.append((row["key"], row["lang"], form))
    return tuple(rows)


def part_names() -> frozenset[str]:
    return frozenset(key for key, _, _ in part_rows())


@dataclass(frozen=True)
class _Index:
    exact: PhraseMatcher  # every form on its token keys (only its index is used: overlaps are wanted)
    stemmed: dict[tuple[str, ...], list[str]]  # multi-word forms and starred words, on stems
    stemmed_sizes: dict[str, tuple[int, ...]]  # ``first_word_sizes`` of ``stemmed``


# Verb and adjective endings of Hindi and Punjabi ("ਆਕੜਦਾ" -> "ਆਕੜ", "बोलते" -> "बोल"), longest first;
# nlu.text.stem only strips final vowel signs there.
_INDIC_SUFFIXES = tuple(sorted(
    ["ਦਾ", "ਦੀ", "ਦੇ", "ਦੀਆਂ", "ਣਾ", "ਣੀ", "ਣੇ", "ਿਆ", "ਿਆਂ", "ੀਆਂ", "ਾਂ", "ਂਦਾ", "ਂਦੀ", "ਂਦੇ",
     "ता", "ती", "ते", "ना", "नी", "ने", "या", "यी", "ये", "ाया", "ाई", "ाए", "ों", "ें", "ियां", "ियाँ"],
    key=len, reverse=True,
))


def part_stem(key: str) -> str:
    """``nlu.text.stem``, plus common Hindi/Punjabi verb endings; the stem keeps at least two letters."""
    if key.isascii():
        return stem(key)
    for suffix in _INDIC_SUFFIXES:
        if key.endswith(suffix) and sum(ch.isalpha() for ch in key[: -len(suffix)]) >= 2:
            key = key[: -len(suffix)]
            break
    return stem(key)


def _stem_key(form: str) -> tuple[str, ...]:
    return tuple(part_stem(key) for key in phrase_key(form))


@lru_cache(maxsize=1)
def _index() -> _Index:
    exact: list[tuple[str, str]] = []
    stemmed: dict[tuple[str, ...], list[str]] = {}
    for key, _, form in part_rows():
        if key in (UNABLE_PRE, UNABLE_POST, NEG_VERB):
            continue
        starred = form.endswith("*")
        form = form.rstrip("*")
        exact.append((key, form))
        if starred or len(phrase_key(form)) > 1:
            labels = stemmed.setdefault(_stem_key(form), [])
            if key not in labels:
                labels.append(key)
    # No typo correction: parts are short common words, and a corrected "fewer" is a "fever".
    matcher = PhraseMatcher(exact, fuzzy=False)
    return _Index(matcher, stemmed, first_word_sizes(stemmed))


@lru_cache(maxsize=1)
def _unable() -> PhraseMatcher:
    return PhraseMatcher(
        ((key, form) for key, _, form in part_rows() if key in (UNABLE_PRE, UNABLE_POST, NEG_VERB)), fuzzy=False
    )


@lru_cache(maxsize=1)
def _breaks() -> PhraseMatcher:
    return PhraseMatcher((("break", form) for form in word_list("words")["clause_break"]), fuzzy=False)


def clause_breaks(tokens: Sequence[Token]) -> list[int]:
    """Token indices of clause-break words ("but", "lekin", "ਪਰ"), for ``nlu.negation.clause_ids``."""
    return [i for m in _breaks().find(tokens) for i in range(m.first, m.last + 1)]


def _all_matches(keys: Sequence[str], index: dict[tuple[str, ...], list[str]],
                 sizes: Mapping[str, Sequence[int]]) -> set[tuple[str, int, int]]:
    """Every (label, first, last) whose key sequence is in ``index``, overlaps allowed; only the lengths
    ``sizes`` (``nlu.matcher.first_word_sizes``) lists for a token's word are tried there."""
    found: set[tuple[str, int, int]] = set()
    for i, key in enumerate(keys):
        for size in sizes.get(key, ()):
            if size > len(keys) - i:
                break
            for label in index.get(tuple(keys[i : i + size]), ()):
                found.add((label, i, i + size - 1))
    return found


def find_parts(text: str, tokens: Sequence[Token], context: Sequence[tuple[int, int]] = ()) -> list[Mention]:
    """Parts in ``tokens`` with their polarity; ``context`` spans (symptoms, signals) shape negation scope."""
    if not tokens:
        return []
    index = _index()
    keys = [token.key for token in tokens]
    found = _all_matches(keys, index.exact.index, index.exact.sizes)
    whole = unstemmed_words()  # compared whole: "झटको" (shake them!) is not the stem of "झटकने"
    found |= _all_matches([key if key in whole else part_stem(key) for key in keys], index.stemmed, index.stemmed_sizes)
    ordered = sorted(found, key=lambda m: (m[1], m[2], m[0]))
    spans = [(first, last) for _, first, last in ordered]
    flags = negation_flags(text, tokens, spans + list(context))[: len(spans)]
    unable = _unable_spans(text, tokens, [(first, last) for label, first, last in ordered if label in VERB_PARTS])
    return [
        Mention(label, first, last, not _is_place(label) and (negated or (first, last) in unable))
        for (label, first, last), negated in zip(ordered, flags, strict=True)
    ]


def _is_place(label: str) -> bool:
    return label.startswith(PLACE_PREFIXES) or label in PLACE_PARTS


def _unable_spans(text: str, tokens: Sequence[Token], spans: Sequence[tuple[int, int]]) -> set[tuple[int, int]]:
    """Spans made impossible by a nearby "can't"/"unable to"/"nahi pa raha" in the same clause."""
    cues = _unable().find(tokens)
    if not cues or not spans:
        return set()
    clause = clause_ids(text, tokens, clause_breaks(tokens))
    result = set()
    for first, last in spans:
        for cue in cues:
            if clause[cue.first] != clause[first] or (cue.first <= last and first <= cue.last):
                continue
            before = (cue.label == UNABLE_PRE and 0 <= first - cue.last - 1 < UNABLE_REACH) or (
                cue.label == NEG_VERB and first == cue.last + 1
            )
            after = cue.label == UNABLE_POST and 0 <= cue.first - last - 1 < UNABLE_REACH
            if before or after:
                result.add((first, last))
                break
    return result

