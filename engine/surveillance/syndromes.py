"""The IDSP S-form syndromes as data, and how a triage becomes them.

``data/syndromes.tsv`` holds each syndrome (code, S-form name, definition, source); the codes are the
contract's (``../shared/contract/syndromes.tsv``) and are never renamed. ``data/surveillance/
syndrome_rules.yml`` says which symptom codes, red flags, durations and ages make each one, so a
definition is changed in data, next to its source, not in code.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from config.paths import ROOT

SYNDROMES_TSV = ROOT / "data" / "syndromes.tsv"


@dataclass(frozen=True)
class Syndrome:
    code: str
    name: str          # as printed on the IDSP S form
    definition: str
    source: str


@lru_cache(maxsize=1)
def syndromes() -> dict[str, Syndrome]:
    """Every syndrome by code, in S-form order."""
    with SYNDROMES_TSV.open(encoding="utf-8") as handle:
        return {row["code"]: Syndrome(row["code"], row["idsp_s_form"], row["definition"], row["source"])
                for row in csv.DictReader(handle, delimiter="\t")}


def codes() -> tuple[str, ...]:
    return tuple(syndromes())


RULES_YML = ROOT / "data" / "surveillance" / "syndrome_rules.yml"


@dataclass(frozen=True)
class Rule:
    """When a case is one syndrome (``data/surveillance/syndrome_rules.yml`` explains each field)."""

    code: str
    all: frozenset[str] = frozenset()
    any: frozenset[str] = frozenset()
    any_flags: frozenset[str] = frozenset()
    min_days: float | None = None
    max_days: float | None = None
    max_age: float | None = None
    group: str | None = None

    def matches(self, symptoms: frozenset[str], flags: frozenset[str], days: float | None,
                age: float | None) -> bool:
        if not self.all <= symptoms:
            return False
        if (self.any or self.any_flags) and not (self.any & symptoms or self.any_flags & flags):
            return False
        if self.min_days is not None and (days is None or days < self.min_days):
            return False
        if self.max_days is not None and days is not None and days > self.max_days:
            return False
        return self.max_age is None or (age is not None and 0 <= age <= self.max_age)


@lru_cache(maxsize=1)
def rules() -> tuple[Rule, ...]:
    """The rules in file order (the order decides within a group); every code must be a syndrome."""
    from engine.yamlfile import read_yaml

    raw = read_yaml(RULES_YML)
    known = syndromes()
    out = []
    for code, spec in raw.items():
        if code not in known:
            raise ValueError(f"{RULES_YML.name}: {code} is not in syndromes.tsv")
        out.append(Rule(code, **{k: frozenset(v) if isinstance(v, list) else v for k, v in spec.items()}))
    return tuple(out)


def classify(symptoms: Iterable[str], red_flags: Iterable[str] = (), duration_days: float | None = None,
             age: float | None = None) -> list[str]:
    """The S-form syndromes of one case, in S-form order (empty when it is none of them).

    ``symptoms`` are the codes present (denied ones left out by the caller), ``red_flags`` rule ids,
    ``duration_days`` how long it has lasted, ``age`` in years."""
    present, flags = frozenset(symptoms), frozenset(red_flags)
    taken: set[str] = set()
    found = set()
    for rule in rules():
        if rule.group in taken:
            continue
        if rule.matches(present, flags, duration_days, age):
            found.add(rule.code)
            if rule.group:
                taken.add(rule.group)
    return [code for code in syndromes() if code in found]
