"""What is known about one patient, normalised once so every scorer sees the same facts.

Normalisation applies the vocabulary's implications (``dry_cough`` reported means ``cough`` is
present; ``cough`` denied means ``dry_cough`` is denied too), turns the ``pregnant`` code into
context, and resolves contradictions in favour of the assertion (a symptom both denied and
reported counts as present: missing a symptom is the less safe mistake).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from engine.triage.kb import AGE_GROUPS, ONSETS, PREGNANCY_AGE, SEXES, KnowledgeBase, age_group

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
#: log prior of a condition that cannot apply (``feasible``): finite, so a softmax stays defined.
IMPOSSIBLE = -1.0e4
#: Red flags (``nlu.red_flags`` rule ids) that name a finding the ranking should count too: the rule
#: recognised "bleeding from below" in a pregnancy or "pulled out of the pond" where the lexicon
#: alone found nothing, and a differential that ignores it ranks anaemia above a miscarriage. Only
#: rules whose meaning is the finding itself; rules whose code merely names them for the
#: explanation (drowning -> unconsciousness, shock -> fainting) map to the finding they mean or
#: are left out.
FLAG_FINDINGS: dict[str, tuple[str, ...]] = {
    "pregnancy_bleeding": ("vaginal_bleeding",),
    "heat_stroke": ("heat_exposure",),
    "severe_burn": ("burn",),
    "burn_under_five": ("burn",),
    "drowning": ("drowning",),
    "deep_vein_thrombosis": ("calf_swelling",),
    "testicular_torsion": ("testicular_pain",),
    "snake_bite": ("snake_bite",),
    "scorpion_sting_child": ("scorpion_sting",),
    "scorpion_sting_systemic_shock": ("scorpion_sting",),
    "reduced_fetal_movement": ("reduced_fetal_movement",),
    "acute_angle_closure": ("eye_pain",),
    "penetrating_eye_injury": ("eye_injury",),
    "newborn_jaundice_first_day": ("jaundice",),
    "head_injury_danger": ("head_injury",),
    "anaphylaxis": ("allergic_reaction",),
    "pregnancy_waters_leaking": ("water_leak",),
    "thunderclap_headache": ("severe_headache",),
    "urinary_retention": ("difficulty_urinating",),
}


@dataclass
class Evidence:
    present: list[str] = field(default_factory=list)
    negated: list[str] = field(default_factory=list)
    age: float | None = None
    sex: str | None = None
    pregnant: bool | None = None
    duration_days: float | None = None
    severity: str | None = None
    #: Month (1-12, IST) and place of the consultation, for the season and region priors
    #: (``engine.triage.priors``); None when not known, and then no prior applies.
    month: int | None = None
    state: str | None = None
    district: str | None = None


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
        month=evidence.month,
        state=evidence.state,
        district=evidence.district,
    )


def with_flag_findings(kb: KnowledgeBase, evidence: Evidence, flag_ids: list[str]) -> Evidence:
    """``evidence`` plus the findings the red flags recognised (:data:`FLAG_FINDINGS`), normalised;
    the same object when they add nothing."""
    extra = [code for flag in flag_ids for code in FLAG_FINDINGS.get(flag, ())
             if code in kb.symptom_index and code not in evidence.present]
    if not extra:
        return evidence
    return normalise(kb, replace(evidence, present=[*evidence.present, *extra]))


def _could_be_pregnant(evidence: Evidence) -> bool:
    if evidence.sex == "m":
        return False
    return evidence.age is None or 13 <= evidence.age < 50


def feasible(kb: KnowledgeBase, evidence: Evidence) -> np.ndarray:
    """Which conditions can apply to this person at all, one bool each: ``Condition.allows`` for
    every condition at once (tests check the two agree)."""
    ok = np.ones(len(kb), dtype=bool)
    age, sex, pregnant = evidence.age, evidence.sex, evidence.pregnant
    if sex in SEXES:
        ok &= kb.sex_factors[:, SEXES.index(sex)] > 0.0
    if age is not None:
        ok &= (kb.age_min <= age) & (age < kb.age_max)
        ok &= kb.age_factors[:, AGE_GROUPS.index(age_group(age))] > 0.0
    of_pregnancy = kb.pregnancy_kind != ""
    if sex == "m" or (age is not None and not PREGNANCY_AGE[0] <= age < PREGNANCY_AGE[1]):
        ok &= ~of_pregnancy
    if pregnant is False:
        ok &= kb.pregnancy_kind != "required"
    return ok


def restrict(probabilities: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """Zero what cannot apply and renormalise; unchanged if nothing would be left (contradictory facts)."""
    if not allowed.any():
        return probabilities
    kept = np.where(allowed, probabilities, 0.0)
    total = kept.sum()
    return kept / total if total > 0 else allowed / allowed.sum()


def log_prior(kb: KnowledgeBase, evidence: Evidence) -> np.ndarray:
    """log P(condition | age, sex, pregnancy, duration) up to a constant, one value per condition;
    ``IMPOSSIBLE`` for a condition that cannot apply (``feasible``)."""
    factor = np.ones(len(kb))
    group = age_group(evidence.age)
    if group is not None:
        factor *= kb.age_factors[:, AGE_GROUPS.index(group)]
    if evidence.sex in SEXES:
        factor *= kb.sex_factors[:, SEXES.index(evidence.sex)]
    else:
        factor *= kb.sex_factors.mean(axis=1)
    factor *= _pregnancy_factors(kb, evidence)
    if evidence.duration_days is not None:
        bucket = duration_bucket(evidence.duration_days)
        factor *= np.array([DURATION_GIVEN_ONSET[o][bucket] * 3 for o in ONSETS])[kb.onset_index]
    out = np.log(kb.prevalence) + np.log(np.maximum(factor, 1e-6))
    out[~feasible(kb, evidence)] = IMPOSSIBLE
    return out


def _pregnancy_factors(kb: KnowledgeBase, evidence: Evidence) -> np.ndarray:
    """The pregnancy multiplier per condition (pregnancy-only conditions scaled by how likely a
    pregnancy is; ``pregnant: {yes: x}`` boosts for a known pregnancy)."""
    kind = kb.pregnancy_kind
    required, possible = kind == "required", kind == "possible"
    if evidence.pregnant is True:
        return kb.pregnant_factors * np.where(required | possible, 2.0, 1.0)
    if not _could_be_pregnant(evidence):
        return np.where(required | possible, 0.0, 1.0)
    if evidence.pregnant is False:
        return np.where(required, 0.0, np.where(possible, 0.1, 1.0))
    return np.where(required, UNKNOWN_PREGNANCY_PRIOR, np.where(possible, 0.3, 1.0))


def duration_bucket(days: float) -> int:
    if days < DURATION_EDGES[0]:
        return 0
    return 1 if days <= DURATION_EDGES[1] else 2
