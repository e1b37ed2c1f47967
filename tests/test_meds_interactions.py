"""Every interaction rule fires for real members of its classes, in either order; duplicates are caught."""

from __future__ import annotations

import pytest

from engine.meds import check_interactions
from engine.meds.kb import load
from engine.meds.rules import table


def _member(side: str) -> str:
    """A concrete generic for a rule side (the first generic of a class, in KB order)."""
    kb = load()
    if not side.startswith("class:"):
        return side
    cls = side[6:]
    return next(g for g in kb.generics if cls in kb.classes_of(g))


def _second_member(side: str, other: str) -> str:
    kb = load()
    cls = side[6:]
    return next(g for g in kb.generics if cls in kb.classes_of(g) and g != other)


RULES = table("interactions.tsv")


@pytest.mark.parametrize("rule", RULES, ids=[f"{r['a']}|{r['b']}" for r in RULES])
def test_every_rule_fires_both_ways(rule):
    a = _member(rule["a"])
    b = _member(rule["b"])
    if a == b:  # a class with itself: two different members
        b = _second_member(rule["b"], a)
    for names in ([a, b], [b, a]):
        effects = {(i.effect, i.severity) for i in check_interactions(names)}
        assert (rule["effect"], rule["severity"]) in effects, (names, effects)


def test_brands_expand_to_generics():
    found = {(i.a, i.b, i.effect) for i in check_interactions(["Ecosprin", "Combiflam"])}
    assert ("aspirin", "ibuprofen", "bleeding") in found


def test_same_generic_in_two_products_is_a_duplicate():
    found = check_interactions(["Dolo 650", "Sinarest"])
    assert any(i.effect == "duplicate" and i.a == "paracetamol" for i in found)


def test_unrelated_medicines_do_not_interact():
    assert check_interactions(["Dolo 650", "Pan 40", "Cetzine"]) == []


def test_most_severe_first_and_advice_in_three_languages():
    found = check_interactions(["Telma 40", "Aldactone", "Brufen", "Ciplox"])
    assert found[0].severity == "major"
    for lang in ("en", "hi", "pa"):
        assert all(i.advice(lang) for i in found)
