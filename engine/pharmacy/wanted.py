"""What the patient wants: medicine names in a chat message or a prescription → product keys.

A product is matched on its *generic composition + strength* (+ form when known), never on the
brand: any brand of the same composition is a generic substitute, which is what makes a Jan
Aushadhi Kendra a valid answer for "Dolo 650".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from engine.meds.indic import ascii_digits
from engine.meds.kb import KnowledgeBase, load, normalise
from engine.meds.parse import find_medicines

_SEGMENT_RE = re.compile(r"[,;\n]|\b(?:and|aur|ate|te|or|plus)\b|\s(?:और|ਅਤੇ|ਤੇ)\s", re.IGNORECASE)
_STRENGTH_RE = re.compile(r"(\d+(?:\.\d+)?(?:/\d+(?:\.\d+)?)?)\s*(mg|mcg|g|ml|iu|%)?(?![a-z])", re.IGNORECASE)


@dataclass(frozen=True)
class Wanted:
    """One medicine to find: ``generic`` is the canonical composition key (components sorted, "+")."""

    name: str
    generic: str
    strength: str = ""
    form: str = ""
    brand: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return self.generic, strength_key(self.strength)


def composition(generics: Iterable[str]) -> str:
    """The composition key: "paracetamol+caffeine" and "caffeine+paracetamol" are the same product."""
    return "+".join(sorted(normalise(g) for g in generics if g))


def normalise_strength(raw: str | None) -> str:
    """"500", "500mg", "500 MG" → "500 mg"; a bare number is milligrams (how shops write it)."""
    if not raw:
        return ""
    m = _STRENGTH_RE.search(str(raw))
    if not m:
        return ""
    unit = (m.group(2) or "mg").lower()
    unit = "IU" if unit == "iu" else unit
    return f"{m.group(1)}%" if unit == "%" else f"{m.group(1)} {unit}"


def strength_key(strength: str) -> str:
    return re.sub(r"\s+", "", (strength or "").lower())


def resolve_name(name: str, kb: KnowledgeBase | None = None) -> tuple[str, str, str, str] | None:
    """A brand or generic name → (display name, composition, strength, brand) or None."""
    kb = kb or load()
    brand = kb.brands_by_name.get(normalise(name))
    if brand:
        return brand.name, composition(brand.generics), normalise_strength(brand.strength), brand.name
    generic = kb.generic(name)
    if generic:
        return generic.title(), composition([generic]), "", ""
    return None


def from_text(text: str, kb: KnowledgeBase | None = None) -> list[Wanted]:
    """Medicines named in a free-text message ("dolo 650 aur cetirizine, pan 40"), in order, no repeats."""
    kb = kb or load()
    found: dict[tuple[str, str], Wanted] = {}
    text = ascii_digits(text or "")  # "पैरासिटामोल ५००": the strength in any script's digits
    for segment in _SEGMENT_RE.split(text):
        if not segment or not segment.strip():
            continue
        matches = find_medicines(segment, kb)
        for match in matches:
            strength = normalise_strength(match.brand.strength) if match.brand else ""
            if not strength and len(matches) == 1:
                strength = _strength_after(segment)
            wanted = Wanted(
                name=match.brand.name if match.brand else match.name.title(),
                generic=composition(match.generics), strength=strength,
                form=match.brand.form if match.brand else "", brand=match.brand.name if match.brand else "",
            )
            found.setdefault(wanted.key, wanted)
    return list(found.values())


def _strength_after(segment: str) -> str:
    m = _STRENGTH_RE.search(segment)
    return normalise_strength(m.group(0)) if m else ""


def from_medications(items: Iterable[dict[str, Any]], kb: KnowledgeBase | None = None) -> list[Wanted]:
    """Medicines from OCR/prescription dicts (``{name, generic, strength, form}``), e.g. the records."""
    kb = kb or load()
    found: dict[tuple[str, str], Wanted] = {}
    for item in items:
        generic = item.get("generic") or ""
        resolved = resolve_name(item.get("name") or "", kb)
        if not generic and resolved:
            generic = resolved[1]
        if not generic:
            continue
        wanted = Wanted(name=item.get("name") or generic.title(), generic=composition(generic.split("+")),
                        strength=normalise_strength(item.get("strength")) or (resolved[2] if resolved else ""),
                        form=item.get("form") or "", brand=resolved[3] if resolved else "")
        found.setdefault(wanted.key, wanted)
    return list(found.values())
