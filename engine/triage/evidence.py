"""What is known about one patient, normalised once so every scorer sees the same facts.

Normalisation applies the vocabulary's implications (``dry_cough`` reported means ``cough`` is
present; ``cough`` denied means ``dry_cough`` is denied too), turns the ``pregnant`` code into
context, and resolves contradictions in favour of the assertion (a symptom both denied and
reported counts as present: missing a symptom is the less safe mistake).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from engine.triage.kb import KnowledgeBase, age_group

#: Duration buckets in days: acute (< 3), subacute (3-14), chronic (> 14).
DURATION_EDGES = (3.0, 14.0)
#: P(duration bucket | onset): a chronic illness is rarely reported after one day and vice versa.
DURATION_GIVEN_ONSET = {
    "acute": (0.70, 0.25, 0.05),
    "subacute": (0.30, 0.50, 0.20),
    "chronic": (0.10, 0.30, 0.60),
}
#: Share of women 13-49 who are pregnant when nobody said: scales pregnancy-only conditions.
UNKNOWN_PREGNANCY_PRIOR = 0.1


@dataclass
class Evidence:
    present: list[str] = field(default_factory=list)
    negated: list[str] = field(default_factory=list)
    age: float | None = None
    sex: str | None = None
    pregnant: bool | None = None
    duration_days: float | None = None
    severity: str | None = None


def normalise(kb: KnowledgeBase, evidence: Evidence) -> Evidence:
    present = dict.fromkeys(evidence.present)
    pregnant = evidence.pregnant
    if "pregnant" in present:
        pregnant = True
    for code in list(present):
        parent = kb.implies.get(code)
        while parent:
            if parent == "pregnant":
                pregnant = True
            else:
                present.setdefault(parent)
            parent = kb.implies.get(parent)
    negated = dict.fromkeys(c for c in evidence.negated if c not in present)
    children: dict[str, list[str]] = {}
    for child, parent in kb.implies.items():
        children.setdefault(parent, []).append(child)
    for code in list(negated):
        for child in children.get(code, []):
            if child not in present:
                negated.setdefault(child)
    if "pregnant" in negated and pregnant is None:
        pregnant = False
    sex = evidence.sex if evidence.sex in ("m", "f") else None
    if sex == "m":
        pregnant = False
    keep = kb.symptom_index
    return Evidence(
        present=[c for c in present if c in keep],
        negated=[c for c in negated if c in keep],
        age=evidence.age,
        sex=sex,
        pregnant=pregnant,
        duration_days=evidence.duration_days,
        severity=evidence.severity,
    )


def _could_be_pregnant(evidence: Evidence) -> bool:
    if evidence.sex == "m":
        return False
    return evidence.age is None or 13 <= evidence.age < 50


def log_prior(kb: KnowledgeBase, evidence: Evidence) -> np.ndarray:
    """log P(condition | age, sex, pregnancy, duration) up to a constant, one value per condition."""
    group = age_group(evidence.age)
    out = np.log(kb.prevalence).copy()
    for i, condition in enumerate(kb.conditions):
        factor = 1.0
        if group is not None:
            factor *= condition.age_factor[group]
        if evidence.sex is not None:
            factor *= condition.sex_factor[evidence.sex]
        else:
            factor *= (condition.sex_factor["m"] + condition.sex_factor["f"]) / 2
        factor *= _pregnancy_factor(condition.pregnancy, condition.pregnant_factor, evidence)
        if evidence.duration_days is not None:
            factor *= DURATION_GIVEN_ONSET[condition.onset][duration_bucket(evidence.duration_days)] * 3
        out[i] += np.log(max(factor, 1e-6))
    return out


def _pregnancy_factor(kind: str | None, boost: float, evidence: Evidence) -> float:
    if evidence.pregnant is True:
        return boost * (2.0 if kind else 1.0)
    if kind is None:
        return 1.0
    if not _could_be_pregnant(evidence):
        return 0.0
    if evidence.pregnant is False:
        return 0.0 if kind == "required" else 0.1
    return UNKNOWN_PREGNANCY_PRIOR if kind == "required" else 0.3


def duration_bucket(days: float) -> int:
    if days < DURATION_EDGES[0]:
        return 0
    return 1 if days <= DURATION_EDGES[1] else 2
