"""Medicine-medicine interactions between everything a person takes.

``check_interactions`` takes generic or brand names (brands are expanded to their components),
reports every rule pair from ``data/medicines/interactions.tsv`` and also the same generic arriving
from two products (e.g. Dolo 650 with a paracetamol-containing cold tablet: overdose risk).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

from engine.i18n import t
from engine.meds.kb import KnowledgeBase, load, normalise
from engine.meds.rules import matches, table

SEVERITY_ORDER = {"major": 0, "moderate": 1, "minor": 2}


@dataclass(frozen=True)
class Interaction:
    """Two generics that should not be combined without the doctor knowing; ``effect`` keys the texts."""

    a: str
    b: str
    severity: str
    effect: str

    def advice(self, language: str) -> str:
        return t(f"meds_advice_{self.effect}", language, a=self.a.title(), b=self.b.title())


def resolve(names: list[str], kb: KnowledgeBase | None = None) -> list[tuple[str, str]]:
    """(product, generic) for each name: a brand yields all its components; unknown names are dropped."""
    kb = kb or load()
    out: list[tuple[str, str]] = []
    for name in names:
        for part in name.split("+"):
            key = normalise(part)
            if key in kb.brands_by_name:
                out += [(name, g) for g in kb.brands_by_name[key].generics]
            elif (generic := kb.generic(part)) is not None:
                out.append((name, generic))
    return out


def check_interactions(names: list[str], kb: KnowledgeBase | None = None) -> list[Interaction]:
    """Every known interaction among ``names`` (generics or brands), most severe first."""
    kb = kb or load()
    resolved = resolve(names, kb)
    found: dict[tuple[str, str, str], Interaction] = {}
    for (prod_a, gen_a), (prod_b, gen_b) in combinations(resolved, 2):
        if gen_a == gen_b:
            if prod_a != prod_b:
                found[(gen_a, gen_a, "duplicate")] = Interaction(gen_a, gen_a, "major", "duplicate")
            continue
        for rule in table("interactions.tsv"):
            forward = matches(rule["a"], gen_a, kb) and matches(rule["b"], gen_b, kb)
            backward = matches(rule["a"], gen_b, kb) and matches(rule["b"], gen_a, kb)
            if forward or backward:
                a, b = sorted((gen_a, gen_b))
                found.setdefault((a, b, rule["effect"]), Interaction(a, b, rule["severity"], rule["effect"]))
    return sorted(found.values(), key=lambda i: (SEVERITY_ORDER.get(i.severity, 3), i.a, i.b))
