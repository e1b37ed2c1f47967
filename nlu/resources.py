"""Locating and reading the NLU's data files.

Data sits in ``data/`` next to the package (not in the package) so that the lead, translators and
clinicians can edit TSV/JSON without touching code; both interpreters read the same files.
"""

from __future__ import annotations

import csv
import json
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
LEXICON_DIR = DATA_DIR / "lexicon"


def read_tsv(path: Path) -> list[dict[str, str]]:
    """Rows of a tab-separated file with a header; blank lines and ``#`` comment lines are skipped."""
    with path.open(encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if line.strip() and not line.startswith("#")]
    reader = csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
    return [{key: (value or "").strip() for key, value in row.items() if key} for row in reader]


@cache
def word_list(name: str) -> dict[str, tuple[str, ...]]:
    """A ``data/lexicon/<name>.tsv`` file of ``key<TAB>forms`` rows, forms separated by ``|``.

    Several rows may share a key; their forms are concatenated in file order.
    """
    merged: dict[str, list[str]] = {}
    for row in read_tsv(LEXICON_DIR / f"{name}.tsv"):
        forms = [form.strip() for form in row["forms"].split("|") if form.strip()]
        merged.setdefault(row["key"], []).extend(forms)
    return {key: tuple(forms) for key, forms in merged.items()}


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def protected_words() -> frozenset[str]:
    """Token keys of every function word, cue and number word: never 'typo-corrected' into a symptom."""
    from nlu.text import phrase_key

    keys: set[str] = set()
    for name in ("words", "numbers"):
        for forms in word_list(name).values():
            for form in forms:
                keys.update(phrase_key(form))
    return frozenset(keys)


@lru_cache(maxsize=1)
def filler_words() -> frozenset[str]:
    """Token keys of words that carry no symptom meaning inside a phrase ("bahut", "hai", "raha")."""
    from nlu.text import phrase_key

    return frozenset(key for form in word_list("words")["filler"] for key in phrase_key(form))


@lru_cache(maxsize=1)
def unstemmed_words() -> frozenset[str]:
    """Token keys of everyday words the loose phrase pass compares whole (``no_stem`` in words.tsv):
    their stem is a symptom word's ("sahi" -> "sah", breath)."""
    from nlu.text import phrase_key

    return frozenset(key for form in word_list("words")["no_stem"] for key in phrase_key(form))
