"""Synthetic patients drawn from the knowledge base, with the noise real reports have.

The classifier learns from these, so they imitate how people describe illness: only some true
symptoms are mentioned (a per-case mention rate), unrelated symptoms creep in (the KB's leak
probability), the dialogue sometimes denies a symptom, age, sex, pregnancy and duration are
often unknown, and each case's symptom probabilities are jittered around the KB's estimates. Everything is driven by one seeded generator, so a training set is reproducible
from (knowledge base, sampler settings, seed) alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.triage.evidence import Evidence
from engine.triage.kb import AGE_GROUPS, Condition, KnowledgeBase

#: Share of each age group among people seeking care (rough Indian primary-care mix).
AGE_GROUP_SHARE = {"infant": 0.06, "child": 0.22, "adult": 0.57, "elderly": 0.15}
AGE_RANGE = {"infant": (0.0, 1.0), "child": (1.0, 13.0), "adult": (13.0, 60.0), "elderly": (60.0, 90.0)}


def _age_span(c: Condition, group: str) -> tuple[float, float]:
    """The group's ages a condition allows (its ``only`` limits); empty when low >= high."""
    low, high = AGE_RANGE[group]
    return max(low, c.age_min), min(high, c.age_max)
DURATION_RANGE = ((0.3, 3.0), (3.0, 14.0), (14.0, 120.0))
DURATION_SHARE = {"acute": (0.7, 0.25, 0.05), "subacute": (0.3, 0.5, 0.2), "chronic": (0.1, 0.3, 0.6)}


@dataclass(frozen=True)
class SamplerSettings:
    mention_rate: tuple[float, float] = (0.2, 0.8)
    denial_rates: tuple[float, ...] = (0.0, 0.0, 0.03, 0.1)
    p_age_known: float = 0.85
    p_sex_known: float = 0.85
    p_pregnancy_known: float = 0.8
    p_duration_known: float = 0.5
    #: Per-case jitter of every P(symptom | condition) on the logit scale: real patients do not
    #: follow the KB's estimates exactly, and the classifier should not learn that they do.
    likelihood_noise: float = 0.5

    def as_dict(self) -> dict:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in self.__dict__.items()}


def _demographics(rng: np.random.Generator, c: Condition) -> tuple[float, str, bool | None]:
    spans = {g: _age_span(c, g) for g in AGE_GROUPS}
    weights = np.array([AGE_GROUP_SHARE[g] * c.age_factor[g] * (spans[g][0] < spans[g][1]) for g in AGE_GROUPS])
    sex_w = np.array([0.5 * c.sex_factor["m"], 0.5 * c.sex_factor["f"]])
    if c.pregnancy == "required" or (c.pregnancy == "possible" and rng.random() < 0.6):
        low, high = 16.0, 45.0
        return float(rng.uniform(low, high)), "f", True
    group = AGE_GROUPS[rng.choice(len(AGE_GROUPS), p=weights / weights.sum())]
    age = float(rng.uniform(*spans[group]))
    sex = "mf"[rng.choice(2, p=sex_w / sex_w.sum())]
    pregnant = None
    if sex == "f" and 16 <= age < 45 and rng.random() < min(0.05 * c.pregnant_factor, 0.5):
        pregnant = True
    return age, sex, pregnant


def sample_case(rng: np.random.Generator, kb: KnowledgeBase, index: int, settings: SamplerSettings) -> Evidence:
    c = kb.conditions[index]
    p = kb.likelihood[index]
    if settings.likelihood_noise:
        logit = np.log(p / (1 - p)) + rng.normal(0.0, settings.likelihood_noise, len(p))
        p = 1 / (1 + np.exp(-logit))
    true = rng.random(len(p)) < p
    mention = rng.uniform(*settings.mention_rate)
    reported = true & (rng.random(len(p)) < mention)
    if not reported.any():
        candidates = np.flatnonzero(true) if true.any() else np.array([int(np.argmax(p))])
        reported[candidates[np.argmax(p[candidates])]] = True
    denial = settings.denial_rates[rng.integers(len(settings.denial_rates))]
    denied = ~true & (rng.random(len(p)) < denial)
    age, sex, pregnant = _demographics(rng, c)
    duration = None
    if rng.random() < settings.p_duration_known:
        bucket = rng.choice(3, p=np.array(DURATION_SHARE[c.onset]))
        duration = float(rng.uniform(*DURATION_RANGE[bucket]))
    return Evidence(
        present=[kb.symptoms[j] for j in np.flatnonzero(reported)],
        negated=[kb.symptoms[j] for j in np.flatnonzero(denied)],
        age=age if rng.random() < settings.p_age_known else None,
        sex=sex if rng.random() < settings.p_sex_known else None,
        pregnant=pregnant if (pregnant and rng.random() < settings.p_pregnancy_known) else None,
        duration_days=duration,
    )


def sample_cases(
    kb: KnowledgeBase,
    n: int,
    seed: int,
    settings: SamplerSettings | None = None,
    by_prevalence: bool = False,
) -> tuple[list[Evidence], np.ndarray]:
    """``n`` cases per condition (balanced) or ``n`` in total drawn by prevalence (realistic mix)."""
    settings = settings or SamplerSettings()
    rng = np.random.default_rng(seed)
    if by_prevalence:
        labels = rng.choice(len(kb), size=n, p=kb.prevalence / kb.prevalence.sum())
    else:
        labels = np.repeat(np.arange(len(kb)), n)
    cases = [sample_case(rng, kb, int(i), settings) for i in labels]
    return cases, labels
