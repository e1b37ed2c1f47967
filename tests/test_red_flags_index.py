"""The red-flag clause index (``nlu.red_flags.ClauseIndex``) changes which clauses are checked, never what fires.

The reader used to check every clause of every rule and derived fact against every message; it now checks only
the clauses filed under a fact the message tells. Both ways must give the same derived facts, the same rules in
the same order, and the same matched facts in each reason: checked here over every message of the phrase
tables (``tests/data/phrases``) and over random mixes of their words and sentences, with random patient
context (age, sex, pregnancy, the caller's symptom codes).
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlu import red_flags
from nlu.red_flags import ClauseIndex, Reading, RedFlag, Rule
from nlu.slots import age_in_text
from tests.support.phrases import PHRASES, tables

CONTEXTS: list[dict[str, Any]] = [{}, {"age": 0.1}, {"age": 3, "sex": "f"}, {"age": 30, "sex": "f", "pregnant": True},
                                  {"age": 70, "sex": "m"}]
#: codes the dialogue and the triage engine hand in beside a message (and one derived name, which no caller sends
#: but nothing forbids)
CALLER_CODES = ["fever", "cough", "vomiting", "headache", "chest_pain", "seizure", "regurgitation", "bleeding",
                "burn_special_site"]


@cache
def own_texts() -> tuple[str, ...]:
    """Every message in the phrase tables: a cell with a space in it (rule ids, codes and JSON cells have none)."""
    texts = (cell for path in sorted(PHRASES.glob("*.tsv")) for rows in tables(path.stem).values()
             for row in rows for cell in row)
    return tuple(dict.fromkeys(t for t in texts if isinstance(t, str) and " " in t.strip()))


@cache
def own_words() -> tuple[str, ...]:
    return tuple(sorted({word for text in own_texts() for word in text.split()}))


def unindexed(reading: Reading, age: float | None, chosen: tuple[Rule, ...]) -> list[RedFlag]:
    """What the reader did before the index: every clause of every rule, in order, the first that holds."""
    fired = []
    for rule in chosen:
        for clause in rule.clauses:
            matched = clause.matched(reading, age)
            if matched is not None:
                fired.append(RedFlag(rule.id, rule.code, f"{rule.reason} Matched: {' + '.join(matched)}."))
                break
    return fired


def unindexed_reading(text: str, symptoms: list[str] | None = None, age: float | None = None,
                      sex: str | None = None, pregnant: bool | None = None) -> tuple[Reading, float | None]:
    """``red_flags._prepared`` with every derived fact's clauses checked in file order."""
    if age is None:
        age = age_in_text(text)
    reading = red_flags.read(text)
    red_flags._context(reading, tuple(symptoms or ()), age, sex, pregnant)
    for name, clauses in red_flags.derived():
        if any(clause.matched(reading, age) is not None for clause in clauses):
            reading.free.add(name)
    return reading, age


def assert_same(text: str, **context: Any) -> None:
    indexed, age = red_flags._prepared(text, **context)
    reference, reference_age = unindexed_reading(text, **context)
    assert (indexed.free, age) == (reference.free, reference_age), text
    assert red_flags._fired(red_flags.rules, indexed, age) == unindexed(reference, age, red_flags.rules()), text
    for extra in (set(), {"weeks_3"}):  # urgent_signs adds weeks_3 to a copy when the text says 3 weeks or more
        urgent = Reading(indexed.mentions, indexed.sentence, indexed.free | extra, dropped=indexed.dropped,
                         past=indexed.past)
        plain = Reading(reference.mentions, reference.sentence, reference.free | extra, dropped=reference.dropped,
                        past=reference.past)
        assert red_flags._fired(red_flags.urgent_rules, urgent, age) == unindexed(plain, age, red_flags.urgent_rules()), text


def test_every_clause_is_filed():
    for index, count in ((red_flags._rule_index(red_flags.rules), sum(len(r.clauses) for r in red_flags.rules())),
                         (red_flags._derived_index(), sum(len(c) for _, c in red_flags.derived()))):
        filed = {position for positions in index.by_fact.values() for position in positions} | set(index.always)
        assert filed == set(range(count)) == set(range(len(index.clauses)))


def test_a_clause_without_facts_is_checked_for_every_message():
    """None of today's clauses lacks an ``all`` and an ``any``; one that did would be filed as always checked."""
    bare = red_flags._clauses([{"age_max": 5}, {"any": ["fever", "cough"], "min": 0}])
    index = ClauseIndex.of([bare])
    assert index.always == (0, 1) and not index.by_fact


@pytest.mark.parametrize("context", CONTEXTS, ids=lambda c: ",".join(f"{k}={v}" for k, v in c.items()) or "none")
def test_every_own_text_fires_the_same_rules_either_way(context):
    assert len(own_texts()) > 1000
    for text in own_texts():
        assert_same(text, **context)


PATIENT = st.fixed_dictionaries({}, optional={
    "age": st.one_of(st.none(), st.sampled_from([0.05, 0.1, 0.5, 2, 4.9, 5, 12, 30, 64, 65, 80])),
    "sex": st.sampled_from(["m", "f"]),
    "pregnant": st.booleans(),
    "symptoms": st.lists(st.sampled_from(CALLER_CODES), max_size=3),
})
SEPARATORS = st.sampled_from([" ", ", ", ". ", " aur ", " and ", "। ", "\n"])


@st.composite
def mixes(draw: st.DrawFn) -> str:
    """Words of the own texts in any order, or two or three whole own texts run together."""
    if draw(st.booleans()):
        return " ".join(draw(st.lists(st.sampled_from(own_words()), min_size=1, max_size=14)))
    parts = draw(st.lists(st.sampled_from(own_texts()), min_size=2, max_size=3))
    return draw(SEPARATORS).join(parts)


@settings(max_examples=400, deadline=None)
@given(mixes(), PATIENT)
def test_random_mixes_fire_the_same_rules_either_way(text, context):
    assert_same(text, **context)
