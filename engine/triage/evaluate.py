"""Evaluation on clinical vignettes (``tests/data/triage_vignettes.yml``, written independently).

Each vignette: ``{id, text, language, age, sex, gold_urgency, acceptable_icd10, gold_specialist,
also_acceptable_specialists?}``. A predicted ICD-10 code matches an acceptable one when equal or a
subcode of it (``I21`` covers ``I21.9``). Under-triage means a prediction less urgent than the
gold level; an emergency predicted as anything else is the failure that must never happen.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from engine.triage.kb import URGENCY_LEVELS

DEFAULT_VIGNETTES = Path(__file__).resolve().parents[2] / "tests" / "data" / "triage_vignettes.yml"


def code_matches(predicted: str, acceptable: list[str]) -> bool:
    return any(predicted == a or predicted.startswith(a + ".") for a in acceptable)


@dataclass
class Report:
    n: int = 0
    emergencies: int = 0
    emergencies_caught: int = 0
    urgency_correct: int = 0
    over_triage: int = 0
    under_triage: int = 0
    under_triaged_emergencies: int = 0
    top1: int = 0
    top3: int = 0
    specialist_correct: int = 0
    confusion: Counter = field(default_factory=Counter)
    failures: list[dict] = field(default_factory=list)

    def rate(self, count: int, total: int | None = None) -> float:
        total = self.n if total is None else total
        return count / total if total else 1.0

    def summary(self) -> dict:
        return {
            "vignettes": self.n,
            "emergency_recall": round(self.rate(self.emergencies_caught, self.emergencies), 4),
            "emergencies": self.emergencies,
            "urgency_accuracy": round(self.rate(self.urgency_correct), 4),
            "over_triage": self.over_triage,
            "under_triage": self.under_triage,
            "under_triaged_emergencies": self.under_triaged_emergencies,
            "top1_accuracy": round(self.rate(self.top1), 4),
            "top3_accuracy": round(self.rate(self.top3), 4),
            "specialist_accuracy": round(self.rate(self.specialist_correct), 4),
            "urgency_confusion": {f"{g}->{p}": n for (g, p), n in sorted(self.confusion.items())},
        }


def load_vignettes(path: Path | None = None) -> list[dict]:
    return yaml.safe_load(Path(path or DEFAULT_VIGNETTES).read_text(encoding="utf-8")) or []


def evaluate(engine, vignettes: list[dict]) -> Report:
    report = Report()
    for v in vignettes:
        result = engine.triage(v["text"], age=v.get("age"), sex=v.get("sex"), language=v.get("language"))
        gold, got = v["gold_urgency"], result.urgency
        report.n += 1
        report.confusion[(gold, got)] += 1
        delta = URGENCY_LEVELS.index(got) - URGENCY_LEVELS.index(gold)
        report.urgency_correct += delta == 0
        report.over_triage += delta > 0
        report.under_triage += delta < 0
        if gold == "emergency":
            report.emergencies += 1
            report.emergencies_caught += got == "emergency"
            report.under_triaged_emergencies += got != "emergency"
        codes = [c.icd10 for c in result.conditions]
        acceptable = [str(a) for a in v.get("acceptable_icd10") or []]
        hit1 = bool(codes) and code_matches(codes[0], acceptable)
        hit3 = any(code_matches(c, acceptable) for c in codes[:3])
        report.top1 += hit1
        report.top3 += hit3
        specialists = {v.get("gold_specialist")} | set(v.get("also_acceptable_specialists") or [])
        report.specialist_correct += result.specialist in specialists
        if delta != 0 or not hit3 or result.specialist not in specialists:
            report.failures.append({
                "id": v.get("id"), "gold_urgency": gold, "urgency": got, "acceptable": acceptable,
                "predicted": codes[:3], "symptoms": result.symptoms, "red_flags": result.red_flags,
                "gold_specialist": v.get("gold_specialist"), "specialist": result.specialist,
            })
    return report


DEFAULT_NLU_HELDOUT = DEFAULT_VIGNETTES.with_name("nlu_heldout.yml")


def red_flag_rates(vignettes: list[dict], nlu_items: list[dict]) -> dict:
    """How often the red-flag rules fire, so recall gains can be weighed against false alarms.

    ``vignettes``: recall on gold emergencies and false-positive rate on the others (with their age
    and sex, as the engine sees them). ``nlu_items`` (the held-out NLU set): recall on items whose
    intent is ``emergency`` and false-positive rate on all other items, from the text alone.
    """
    from nlu.red_flags import detect_red_flags

    def fired(text: str, **context) -> bool:
        return bool(detect_red_flags(text or "", **context))

    v_em = [v for v in vignettes if v["gold_urgency"] == "emergency"]
    v_other = [v for v in vignettes if v["gold_urgency"] != "emergency"]
    n_em = [i for i in nlu_items if i.get("intent") == "emergency"]
    n_other = [i for i in nlu_items if i.get("intent") != "emergency"]

    def count(items: list[dict], with_context: bool) -> int:
        return sum(
            fired(i["text"], **({"age": i.get("age"), "sex": (i.get("sex") or "")[:1] or None} if with_context else {}))
            for i in items
        )

    return {
        "vignette_emergencies": len(v_em),
        "vignette_emergency_flagged": count(v_em, True),
        "vignette_non_emergencies": len(v_other),
        "vignette_false_positives": count(v_other, True),
        "nlu_emergencies": len(n_em),
        "nlu_emergency_flagged": count(n_em, False),
        "nlu_non_emergencies": len(n_other),
        "nlu_false_positives": count(n_other, False),
    }
