"""Prescription lines checked against the medicine knowledge base (``data/medicines/``).

A doctor types what she knows: a generic ("paracetamol"), an alias ("ORS"), a brand ("Dolo 650").
The prescription keeps generic names (the patient may buy any brand), so a brand becomes its
composition and, when no dose was typed, its strength ("Dolo 650" -> paracetamol 650 mg). A name
the knowledge base does not know is flagged with the closest known names; the doctor may still
prescribe it as written by confirming it (the base holds 359 generics, not every medicine).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from engine.meds.kb import load, normalise


@dataclass(frozen=True)
class Medicine:
    generic: str | None  #: canonical generic name(s) ("amoxicillin + clavulanic acid"), None if unknown
    strength: str = ""   #: the brand's strength, when a brand was typed
    brand: str = ""


def resolve(name: str) -> Medicine:
    kb = load()
    typed = (name or "").strip()
    generic = kb.generic(typed)
    if generic:
        return Medicine(generic)
    brand = kb.brands_by_name.get(normalise(typed))
    if brand is None:
        same_base = kb.brands_by_base.get(normalise(typed), [])
        brand = same_base[0] if len({b.generics for b in same_base}) == 1 else None
        if brand is not None:  # "Dolo" names paracetamol whatever the strength: no strength taken from it
            return Medicine(" + ".join(brand.generics), "", brand.name)
    if brand is not None:
        return Medicine(" + ".join(brand.generics), brand.strength, brand.name)
    return Medicine(None)


def close_names(name: str, limit: int = 5) -> list[str]:
    """Known generics closest in spelling to an unknown name (for "did you mean")."""
    kb = load()
    keys = list(kb.alias_to_generic)
    found = difflib.get_close_matches(normalise(name), keys, n=limit * 2, cutoff=0.6)
    out: list[str] = []
    for key in found:
        generic = kb.alias_to_generic[key]
        if generic not in out:
            out.append(generic)
    return out[:limit]


def suggest(query: str, limit: int = 15) -> list[dict[str, Any]]:
    """What the prescription form offers while typing: generics whose name or alias starts with
    the words typed first ("ors" -> oral rehydration salts), then brands ("dolo" -> Dolo 650 =
    paracetamol 650 mg), then generics containing the text."""
    kb, q = load(), normalise(query)
    if len(q) < 2:
        return []
    out: list[dict[str, Any]] = []
    seen: set[str] = set()

    def add(value: str, label: str) -> None:
        if value not in seen and len(out) < limit:
            seen.add(value)
            out.append({"value": value, "label": label})

    for alias, generic in sorted(kb.alias_to_generic.items(), key=lambda kv: (len(kv[0]), kv[0])):
        if alias == q or alias.startswith(q) or any(word.startswith(q) for word in alias.split()):
            add(generic, generic if alias == generic else f"{generic} ({alias})")
    for brand in kb.brands:
        if normalise(brand.name).startswith(q):
            composition = " + ".join(brand.generics)
            add(brand.name, f"{brand.name} = {composition} {brand.strength}".strip())
    for generic in sorted(kb.generics):
        if q in generic:
            add(generic, generic)
    return out
