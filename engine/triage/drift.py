"""Drift: is recent triage traffic still the population the served model was trained for?

Population stability index, PSI = sum over categories of (recent - training) * ln(recent / training),
shares floored at ``FLOOR`` so a category absent on one side stays finite. Usual bands: below 0.1
stable, 0.1 to 0.25 moderate (watch), 0.25 or more significant (investigate; consider
``saathi model retrain``). Two distributions are compared:

* the **symptom mix**: each symptom code's share of all reported symptom mentions;
* the **predicted-condition mix**: the share of cases whose top condition is each KB condition;
* with the de-identified traffic log (:mod:`engine.triage.traffic`), also the **context**: age band,
  sex, pregnancy and duration band, each with an ``unknown`` category (the sampler leaves some
  unknown on purpose, so a form that always asks shows up here too).

A feature whose PSI exceeds ``FLAG`` (0.2, the usual alarm level) is flagged.

Training side: cases drawn by prevalence from the version's own sampler and seed (its validation
population), scored by the version itself. Recent side: triage results as JSON lines (the
``saathi triage`` object: ``symptoms`` and ``conditions`` with ``icd10``), or the de-identified
labels the portal keeps (``features.symptoms`` / ``features.predicted``). The records' own triage
results are sealed per patient and are deliberately not read in bulk.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from engine.triage import ensemble
from engine.triage.evidence import Evidence
from engine.triage.kb import KnowledgeBase
from engine.triage.labels import ConfirmedLabel, condition_index
from engine.triage.model import feature_matrix, predict
from engine.triage.sampler import sample_cases
from engine.triage.training import TrainedModel, nb_logit_matrix

FLOOR = 1e-4
STABLE, MODERATE = 0.1, 0.25
#: The usual "this feature drifted" alarm level.
FLAG = 0.2
BASELINE_CASES = 2000
#: Categories rarer than this on the training side are pooled into an ``(other)`` bin: PSI over
#: sparse bins is mostly sampling noise (about (bins - 1) * (1/n + 1/m)). Rare *conditions* are
#: pooled per ICD-10 chapter letter (``(other A)``, ``(other O)``...), not into one bin: with 450+
#: conditions most of them are rare, and one bin holding 80% of the cases would hide an outbreak of
#: four fevers that each stay under 1%.
MIN_SHARE = 0.01
OTHER = "(other)"


@dataclass
class Traffic:
    """Symptom codes per case and the top predicted condition id per case (None when unknown);
    ``context``: per case, the categorical context features (empty when the source has none)."""

    symptoms: list[list[str]] = field(default_factory=list)
    predicted: list[str | None] = field(default_factory=list)
    context: list[dict[str, str]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.symptoms)


def band(value: float) -> str:
    return "stable" if value < STABLE else "moderate" if value < MODERATE else "significant"


def shares(counts: Mapping[str, float], categories: Iterable[str]) -> dict[str, float]:
    total = sum(counts.values())
    return {c: (counts.get(c, 0) / total if total else 0.0) for c in categories}


def psi_terms(expected: Mapping[str, float], actual: Mapping[str, float]) -> dict[str, float]:
    """Each category's contribution to the PSI (shares in, floored here)."""
    terms = {}
    for c in expected.keys() | actual.keys():
        e, a = max(expected.get(c, 0.0), FLOOR), max(actual.get(c, 0.0), FLOOR)
        terms[c] = (a - e) * float(np.log(a / e))
    return terms


def psi(expected: Mapping[str, float], actual: Mapping[str, float]) -> float:
    return float(sum(psi_terms(expected, actual).values()))


def _symptom_counts(kb: KnowledgeBase, traffic: Traffic) -> Counter:
    return Counter(s for case in traffic.symptoms for s in case if s in kb.symptom_index)


def _condition_counts(traffic: Traffic) -> Counter:
    return Counter(p for p in traffic.predicted if p)


def pooled(counts: Counter, keep: set[str], group=lambda _c: OTHER) -> Counter:
    """Counts with every category outside ``keep`` moved into its ``group`` bin."""
    out: Counter = Counter()
    for c, n in counts.items():
        out[c if c in keep else group(c)] += n
    return out


def _context_counter(name: str):  # type: ignore[no-untyped-def]
    return lambda _kb, t: Counter(case.get(name, "unknown") for case in t.context)


def compare(kb: KnowledgeBase, training: Traffic, recent: Traffic, top: int = 5) -> dict:
    """PSI, band, flag, the sampling-noise level and the largest contributors per feature.

    ``noise``: the PSI two samples of these sizes from one population show on average; a PSI near
    it says nothing, whatever its band. ``features`` lists the features compared, in order: the
    two mixes, then the context features when both sides carry them.
    """
    out: dict = {"cases": {"training": len(training), "recent": len(recent)}}
    chapter = {c.id: f"{OTHER[:-1]} {c.icd10[:1]})" for c in kb.conditions}
    features = [
        ("symptoms", _symptom_counts, kb.symptoms),
        ("conditions", lambda _kb, t: _condition_counts(t), [c.id for c in kb.conditions]),
    ]
    if recent.context and training.context:
        names = list(dict.fromkeys(k for case in recent.context for k in case))
        for name in names:
            categories = sorted({case.get(name, "unknown") for case in training.context + recent.context})
            features.append((name, _context_counter(name), categories))
    out["features"] = [name for name, _, _ in features]
    for name, counts, categories in features:
        recent_counts = counts(kb, recent)
        if not recent_counts:
            out[name] = {"psi": None, "band": "no data", "flagged": False, "top": []}
            continue
        training_counts = counts(kb, training)
        total = sum(training_counts.values())
        keep = {c for c in categories if training_counts.get(c, 0) >= MIN_SHARE * total}
        group = (lambda c: chapter.get(c, OTHER)) if name == "conditions" else (lambda _c: OTHER)
        bins = sorted(keep) + sorted({group(c) for c in categories if c not in keep} | {OTHER})
        expected = shares(pooled(training_counts, keep, group), bins)
        actual = shares(pooled(recent_counts, keep, group), bins)
        terms = psi_terms(expected, actual)
        value = sum(terms.values())
        movers = sorted(terms, key=lambda c: -terms[c])[:top]
        n_recent = sum(recent_counts.values()) if name == "symptoms" else len(recent)
        out[name] = {
            "psi": round(value, 4),
            "band": band(value),
            "flagged": value > FLAG,
            "bins": len(bins),
            "noise": round((len(bins) - 1) * (1 / max(total, 1) + 1 / max(n_recent, 1)), 4),
            "top": [{"code": c, "training": round(expected[c], 4), "recent": round(actual[c], 4),
                     "psi": round(terms[c], 4)} for c in movers],
        }
    return out


# -- the two sides ------------------------------------------------------------------------------
def training_traffic(kb: KnowledgeBase, model: TrainedModel, n: int = BASELINE_CASES) -> Traffic:
    """The version's validation population (by prevalence, its own seed), with its own top-1."""
    seed = int(model.meta["config"]["seed"]) + 1
    from engine.triage.traffic import age_band, context_of, duration_band

    cases, _ = sample_cases(kb, n, seed, by_prevalence=True)
    context = [context_of({"age_band": age_band(c.age), "sex": c.sex, "pregnant": c.pregnant,
                           "duration_band": duration_band(c.duration_days)}) for c in cases]
    return Traffic([list(c.present) for c in cases], top_conditions(kb, model, cases), context)


def top_conditions(kb: KnowledgeBase, model: TrainedModel, cases: list[Evidence]) -> list[str | None]:
    """The served ensemble's top condition id per case (as ``Engine.probabilities``, vectorised)."""
    xg = ensemble.xgb_logits(predict(model.booster, feature_matrix(kb, cases)), kb.prevalence)
    p = ensemble.combine(nb_logit_matrix(kb, cases), xg, model.calibration)
    ids = [c.id for c in kb.conditions]
    return [ids[i] for i in p.argmax(axis=1)]


def cached_training_traffic(kb: KnowledgeBase, model: TrainedModel, cache_dir: Path,
                            n: int = BASELINE_CASES) -> Traffic:
    """:func:`training_traffic`, computed once per (version, n): it takes seconds, not milliseconds."""
    path = Path(cache_dir) / f"{model.version}-{n}.json"
    if path.exists():
        data = json.loads(path.read_text(encoding="utf-8"))
        if "context" in data:  # caches written before the context features are computed again
            return Traffic(data["symptoms"], data["predicted"], data["context"])
    traffic = training_traffic(kb, model, n)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"symptoms": traffic.symptoms, "predicted": traffic.predicted,
                                "context": traffic.context}), encoding="utf-8")
    return traffic


def _top_condition(kb: KnowledgeBase, record: dict) -> str | None:
    conditions = record.get("conditions") or []
    if conditions and isinstance(conditions[0], dict):
        first = conditions[0]
        if first.get("id") in {c.id for c in kb.conditions}:
            return first["id"]
        code = first.get("icd10")
    else:
        code = ((record.get("features") or {}).get("predicted") or [None])[0]
    index = condition_index(kb, str(code)) if code else None
    return kb.conditions[index].id if index is not None else None


def from_records(kb: KnowledgeBase, records: Iterable[dict]) -> Traffic:
    """Triage objects (``saathi triage`` JSON) or label objects (``saathi portal labels`` JSON)."""
    traffic = Traffic()
    for record in records:
        symptoms = record.get("symptoms")
        if symptoms is None:
            symptoms = (record.get("features") or {}).get("symptoms") or []
        traffic.symptoms.append([str(s) for s in symptoms])
        traffic.predicted.append(_top_condition(kb, record))
    return traffic


def read_jsonl(kb: KnowledgeBase, path: Path) -> Traffic:
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return from_records(kb, (json.loads(line) for line in lines if line.strip()))


def from_labels(kb: KnowledgeBase, labels: Iterable[ConfirmedLabel]) -> Traffic:
    return from_records(kb, ({"symptoms": list(lab.symptoms),
                              "features": {"predicted": list(lab.predicted)}} for lab in labels))
