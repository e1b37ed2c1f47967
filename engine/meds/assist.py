"""Medicine explanations and "could my symptom be a side effect?" checks, in en/hi/pa.

Every answer ends with a route to a doctor; nothing here tells anyone to stop a medicine on their
own (the texts say to contact the doctor, or seek urgent care for dangerous effects).
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.i18n import t
from engine.meds.interactions import resolve
from engine.meds.kb import TEXT_FIELDS, KnowledgeBase, load, normalise
from engine.meds.rules import matches, table


@dataclass(frozen=True)
class Explanation:
    name: str
    generics: tuple[str, ...]
    texts: dict[str, dict[str, str]]  # generic -> field -> text
    language: str

    def to_text(self) -> str:
        lines = [t("meds_explain_header", self.language, name=self.name,
                   generics=" + ".join(g.title() for g in self.generics))]
        for generic in self.generics:
            fields = self.texts[generic]
            if len(self.generics) > 1:
                lines.append(f"• {generic.title()}:")
            for field in TEXT_FIELDS:
                if fields.get(field):
                    lines.append(t(f"meds_field_{field}", self.language, text=fields[field]))
        lines.append(t("meds_explain_footer", self.language))
        return "\n".join(lines)


def explain_medicine(name: str, language: str = "en", kb: KnowledgeBase | None = None) -> Explanation | None:
    """What a brand or generic is for, how to take it, side effects, warnings, pregnancy; None if unknown."""
    kb = kb or load()
    key = normalise(name)
    brand = kb.brands_by_name.get(key)
    if brand is None and key in kb.brands_by_base:
        brand = kb.brands_by_base[key][0]
    if brand is not None:
        generics = brand.generics
        display = brand.name
    elif (generic := kb.generic(name)) is not None:
        generics, display = (generic,), generic.title()
    else:
        from engine.meds.parse import find_medicines

        found = find_medicines(name, kb)
        if not found:
            return None
        return explain_medicine(found[0].name, language, kb)
    texts = {g: {f: kb.text(g, f, language) or "" for f in TEXT_FIELDS} for g in generics if g in kb.generics}
    return Explanation(display, tuple(texts), texts, language)


@dataclass(frozen=True)
class SideEffectWarning:
    symptom: str
    medicine: str  # the product as the person named it
    generic: str
    effect: str
    urgency: str  # "urgent" or "soon"

    def advice(self, language: str) -> str:
        return t(f"meds_sideeffect_{self.effect}", language, medicine=self.medicine) + " " + t(
            f"meds_urgency_{self.urgency}", language)


def side_effect_check(medicines: list[str], symptom_codes: list[str],
                      kb: KnowledgeBase | None = None) -> list[SideEffectWarning]:
    """Symptoms that may come from a medicine taken (cough on an ACE inhibitor, bleeding on aspirin
    with ibuprofen, low sugar on glimepiride...), urgent ones first."""
    kb = kb or load()
    resolved = resolve(medicines, kb)
    out: dict[tuple[str, str, str], SideEffectWarning] = {}
    for rule in table("side_effects.tsv"):
        if rule["symptom"] not in symptom_codes:
            continue
        for product, generic in resolved:
            if matches(rule["target"], generic, kb):
                out.setdefault((rule["symptom"], generic, rule["effect"]),
                               SideEffectWarning(rule["symptom"], product, generic, rule["effect"], rule["urgency"]))
    return sorted(out.values(), key=lambda w: (w.urgency != "urgent", w.symptom, w.generic))
