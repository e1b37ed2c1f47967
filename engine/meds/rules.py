"""Rule tables keyed by generic or class (interactions, symptom side effects), loaded from TSV.

A rule side is either a generic name or ``class:<name>``; :func:`matches` resolves it against a
generic's class chain so one row covers every member of a class honestly (e.g. all NSAIDs).
"""

from __future__ import annotations

import csv
from functools import lru_cache

from engine.meds.kb import KB_DIR, KnowledgeBase


def read_tsv(name: str) -> list[dict[str, str]]:
    rows = [line for line in (KB_DIR / name).read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#")]
    return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(rows, delimiter="\t")]


@lru_cache(maxsize=4)
def table(name: str) -> tuple[dict[str, str], ...]:
    return tuple(read_tsv(name))


def matches(side: str, generic: str, kb: KnowledgeBase) -> bool:
    """Does the rule side (generic or ``class:x``) cover ``generic``?"""
    if side.startswith("class:"):
        return side[6:] in kb.classes_of(generic)
    return side == generic
