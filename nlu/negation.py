"""Negation scope: which mentions in a message are denied ("bukhar nahi hai", "no fever", "ਬੁਖਾਰ ਨਹੀਂ").

Hindi and Punjabi put the negator *after* the thing denied ("khansi nahi hai"); English puts it before
("no cough"); colloquial "na koi khansi" is before too. So cues come in two kinds with short scopes,
and scopes stop at clause boundaries (punctuation, "but/par/lekin/aur/te/ਪਰ/ਅਤੇ"), so
"bukhar nahi hai par khansi hai" negates only the fever. A third kind, "without" ("bina", "ਬਿਨਾਂ",
"बिना"), is a preposition or postposition: it denies only the mention next to it ("bina bukhar ke
khansi", "bukhar ke bina"), so "bina chetavni ke behosh ho gaya" (fainted without warning) denies
nothing. Cue words inside a matched phrase
("saans nahi le pa raha", "hosh nahi") are part of that phrase, never cues. A denied symptom is
safer to miss than an asserted one, so scopes are deliberately short.

A bare complaint word that names no symptom by itself ("dard", "ਦਰਦ", "jalan", "sojh": pain, burning,
swelling with no body part) is a link in a denied list like a symptom: "koi khujli ya dard nahi" (no
itching or pain) denies the itching through "ya dard", where the unread "dard" once broke the chain
and left the itching asserted. Such a word is never reported itself.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from functools import cache, lru_cache

from nlu.matcher import PhraseMatcher
from nlu.resources import word_list
from nlu.text import Token, phrase_key

PRE_SCOPE = 4  # tokens a pre-cue reaches forward ("no" ... "fever")
POST_GAP = 3  # particles allowed between a mention and a following cue ("bukhar to bilkul nahi")
_PUNCTUATION = re.compile(r"[,.;:!?।॥|\n()\[\]/]")


@lru_cache(maxsize=1)
def _cues() -> PhraseMatcher:
    lists = word_list("words")
    kinds = ("neg_pre", "neg_post", "neg_recovered", "neg_without", "clause_break")
    phrases = [(kind, form) for kind in kinds for form in lists[kind]]
    return PhraseMatcher(phrases, fuzzy=False)


@cache
def word_set(key: str) -> frozenset[str]:
    """Token keys of a ``data/lexicon/words.tsv`` list."""
    return frozenset(word for form in word_list("words")[key] for word in phrase_key(form))


def clause_ids(text: str, tokens: Sequence[Token], breaks: Sequence[int] = ()) -> list[int]:
    """A clause number per token: punctuation between tokens and break-word tokens start new clauses."""
    ids: list[int] = []
    clause = 0
    previous_end = 0
    break_set = set(breaks)
    for index, token in enumerate(tokens):
        if _PUNCTUATION.search(text, previous_end, token.start) or index in break_set:
            clause += 1
        ids.append(clause)
        previous_end = token.end
    return ids


@lru_cache(maxsize=1)
def bare_complaint_words() -> frozenset[str]:
    """One-word forms of pain, swelling and burning (``pain``, ``swelling``, ``bare_complaint`` in
    words.tsv): words that say something hurts without naming a symptom code. Multi-word forms ("dard
    ho raha") are left out, or their "ho" and "raha" would count as complaints."""
    lists = word_list("words")
    keys = set()
    for kind in ("pain", "swelling", "bare_complaint"):
        for form in lists.get(kind, ()):
            words = phrase_key(form)
            if len(words) == 1:
                keys.add(words[0])
    return frozenset(keys)


def negation_flags(text: str, tokens: Sequence[Token], spans: Sequence[tuple[int, int]],
                   past: Collection[tuple[int, int]] = ()) -> list[bool]:
    """For each mention span (first, last token index) whether it is negated; equal spans agree.

    Free bare complaint words (:func:`bare_complaint_words`, inside no mention) join the spans as
    links of a denied list, then are dropped from the answer. ``past`` spans name an episode that is
    over (a recent infection): a recovery cue after one ("pichle hafte bukhar tha, ab theek hai")
    confirms it rather than denying it, so it ends the cue's reach there."""
    unique = sorted(set(spans))
    covered = {i for first, last in unique for i in range(first, last + 1)}
    bare = bare_complaint_words()
    links = [(i, i) for i, token in enumerate(tokens) if i not in covered and token.key in bare]
    every = sorted(set(unique) | set(links))
    flags = dict(zip(every, _unique_span_flags(text, tokens, every, frozenset(past)), strict=True))
    return [flags[span] for span in spans]


def _unique_span_flags(text: str, tokens: Sequence[Token], spans: Sequence[tuple[int, int]],
                       past: frozenset[tuple[int, int]] = frozenset()) -> list[bool]:
    if not spans:
        return []
    covered = [False] * len(tokens)
    for first, last in spans:
        for i in range(first, last + 1):
            covered[i] = True
    cues = _cues().find(tokens, skip=covered)
    breaks = [i for cue in cues if cue.label == "clause_break" for i in range(cue.first, cue.last + 1)]
    clause = clause_ids(text, tokens, breaks)
    blockers = word_set("neg_block")
    connectors = word_set("connector")
    fillers = word_set("filler")
    keys = [token.key for token in tokens]
    order = sorted(range(len(spans)), key=lambda k: spans[k])
    negated = [False] * len(spans)

    for cue in cues:
        if cue.label == "neg_without":
            for k in _without_scope(keys, clause, spans, order, cue.first, cue.last, connectors):
                negated[k] = True
        elif cue.label == "neg_pre":
            reach = cue.last
            for k in order:
                first, last = spans[k]
                if first <= cue.last or clause[first] != clause[cue.last]:
                    continue
                gap = keys[reach + 1 : first]
                if first - reach - 1 > PRE_SCOPE or any(word in blockers for word in gap):
                    break
                negated[k] = True
                reach = last
        elif cue.label in ("neg_post", "neg_recovered"):
            limit = cue.first
            for k in reversed(order):
                first, last = spans[k]
                if last >= limit or clause[last] != clause[cue.first]:
                    continue
                if cue.label == "neg_recovered" and spans[k] in past:
                    break
                # Only particles may stand between a mention and its negator: in "behosh ho gayi, uth
                # nahi rahi" the "nahi" belongs to the verb "uth", not to "behosh".
                # Further back, only "ya"/"or"-like connectors chain ("bukhar ya khansi nahi").
                gap = keys[last + 1 : limit]
                allowed = connectors | fillers if limit == cue.first else connectors
                if len(gap) > POST_GAP or any(w not in allowed for w in gap):
                    break
                negated[k] = True
                limit = first
    return negated


def _without_scope(
    keys: Sequence[str],
    clause: Sequence[int],
    spans: Sequence[tuple[int, int]],
    order: Sequence[int],
    cue_first: int,
    cue_last: int,
    connectors: frozenset[str],
) -> list[int]:
    """Indices (into ``spans``) a "without" cue denies: only the mention adjacent to it.

    After a postposition ("bukhar ke bina", "ਬੁਖਾਰ ਤੋਂ ਬਿਨਾਂ") the mention ending right before the
    postposition; otherwise the mention starting right after the cue, determiners skipped ("without
    any fever", "bina kisi dard ke"). Either way "or"-like connectors chain further mentions ("bina
    bukhar ya khansi ke"), within the cue's clause. A non-symptom next to the cue ("bina chetavni", without warning) takes the
    scope, so nothing further along is denied: a wider reach once read "fainted without warning" as
    "did not faint".
    """
    same = clause[cue_first]
    by_first = {spans[k][0]: k for k in order if clause[spans[k][0]] == same}
    by_last = {spans[k][1]: k for k in order if clause[spans[k][1]] == same}
    chained = connectors | word_set("without_determiner")
    denied: list[int] = []
    if cue_first >= 2 and keys[cue_first - 1] in word_set("without_postposition"):
        position = cue_first - 2
        while position in by_last:
            k = by_last[position]
            denied.append(k)
            position = spans[k][0] - 1
            while position >= 0 and keys[position] in connectors:
                position -= 1
        return denied
    position = cue_last + 1
    while position < len(keys) and keys[position] in word_set("without_determiner"):
        position += 1
    while position in by_first:
        k = by_first[position]
        denied.append(k)
        position = spans[k][1] + 1
        while position < len(keys) and keys[position] in chained:
            position += 1
    return denied
