"""Learning from doctors: train a candidate on KB samples plus confirmed diagnoses, promote if not worse.

One run (:func:`retrain`):

1. read the confirmed labels (:mod:`engine.triage.labels`), map their ICD-10 codes onto KB
   conditions (unmapped codes are counted and reported, never guessed) and split them by a stable
   hash into a training share and a held-out share;
2. train a candidate on the usual KB-sampled cases plus the training share (each confirmed case
   repeated ``label_weight`` times: one real, doctor-checked case is worth more than one sampled
   case), all but its calibration share (``labels.CALIBRATION_SHARE``): the ensemble's weight and
   temperatures are fitted on those, cases the classifier never saw, so they measure how far it
   can be trusted (fitted on its own training cases they trusted it too much, and a candidate that
   learned what doctors taught lost more synthetic cases than it gained); the version name hashes
   the KB, the config and the labels used;
3. score the candidate and the promoted version on the **fixed evaluation set**: synthetic cases
   drawn by prevalence with a seed of their own (never a training seed, same for every run) plus
   the held-out confirmed labels;
4. **promote only if not worse**: the metric is top-3 accuracy on the whole evaluation set (a
   patient is helped when the right condition is among the three shown); the candidate is
   promoted when its top-3 is higher, or equal (to 4 decimals) with a negative log-likelihood no
   higher. Anything else keeps the promoted version, and so does a run with fewer confirmed
   training labels than the promoted version learned from (labels missing: the evaluation would
   lack them too). With no promoted version, or one trained on another knowledge base (not
   comparable), the candidate is promoted;
5. record the decision: in the version's ``meta.json`` (``retrain``) when the version is new, and
   always as one line of ``retrain_log.jsonl`` next to ``registry.json``.

Urgency is not learned here: it stays with the KB's rules and the red flags.
Run it through :func:`enqueue` (RQ queue ``triage`` when ``REDIS_URL`` is set) or directly.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np

from engine.triage import ensemble
from engine.triage import labels as labelling
from engine.triage.evidence import Evidence
from engine.triage.kb import KnowledgeBase
from engine.triage.model import feature_matrix, predict
from engine.triage.registry import Registry
from engine.triage.sampler import SamplerSettings, sample_cases
from engine.triage.training import (
    TrainedModel,
    TrainingConfig,
    _metrics,
    cases_per_condition,
    fit,
    input_hash,
    nb_logit_matrix,
)

QUEUE_NAME = "triage"
#: The evaluation set's own seed and size: fixed, so every run is measured with the same yardstick.
EVAL_SEED = 7_700_001
EVAL_SYNTHETIC_CASES = 1000
LABEL_WEIGHT = 3
METRIC = "top-3 accuracy on synthetic held-out + held-out confirmed cases; tie (4 dp): lower-or-equal NLL wins"


@dataclass(frozen=True)
class RetrainOptions:
    training: TrainingConfig = field(default_factory=TrainingConfig)
    label_weight: int = LABEL_WEIGHT
    heldout_share: float = labelling.HELDOUT_SHARE
    eval_cases: int = EVAL_SYNTHETIC_CASES

    @classmethod
    def from_dict(cls, data: dict) -> RetrainOptions:
        """From :meth:`as_dict` (what crosses the job queue: plain JSON)."""
        training = TrainingConfig()
        t = data.get("training") or {}
        training = replace(training, **{k: t[k] for k in ("per_condition", "validation_cases", "seed") if k in t})
        if "params" in t:
            training = replace(training, params={**training.params, **t["params"]})
        return cls(training, **{k: data[k] for k in ("label_weight", "heldout_share", "eval_cases") if k in data})

    def as_dict(self) -> dict:
        t = self.training
        return {"training": {"per_condition": t.per_condition, "validation_cases": t.validation_cases,
                             "seed": t.seed, "params": t.params},
                "label_weight": self.label_weight, "heldout_share": self.heldout_share, "eval_cases": self.eval_cases}


# -- evaluation ---------------------------------------------------------------------------------
@dataclass
class EvaluationSet:
    cases: list[Evidence]
    labels: np.ndarray
    synthetic: int  # the first ``synthetic`` rows are sampled cases, the rest confirmed ones
    nb_logits: np.ndarray
    x: np.ndarray

    def parts(self) -> dict[str, slice]:
        return {"all": slice(None), "synthetic": slice(0, self.synthetic), "confirmed": slice(self.synthetic, None)}


def evaluation_set(kb: KnowledgeBase, heldout: labelling.MappedLabels, n_synthetic: int) -> EvaluationSet:
    cases, y = sample_cases(kb, n_synthetic, EVAL_SEED, SamplerSettings(), by_prevalence=True)
    cases = list(cases) + heldout.cases(kb)
    y = np.concatenate([y, np.asarray(heldout.classes, dtype=y.dtype)])
    return EvaluationSet(cases, y, n_synthetic, nb_logit_matrix(kb, cases), feature_matrix(kb, cases))


def probabilities(kb: KnowledgeBase, model: TrainedModel, data: EvaluationSet) -> np.ndarray:
    """The served ensemble's output for every case (as ``Engine.probabilities``, vectorised)."""
    xg = ensemble.xgb_logits(predict(model.booster, data.x), kb.prevalence)
    return ensemble.combine(data.nb_logits, xg, model.calibration)


def measure(kb: KnowledgeBase, model: TrainedModel, data: EvaluationSet) -> dict:
    p = probabilities(kb, model, data)
    out = {}
    for name, part in data.parts().items():
        n = len(data.labels[part])
        out[name] = {"cases": n, **(_metrics(p[part], data.labels[part]) if n else {})}
    return out


def not_worse(candidate: dict, promoted: dict) -> bool:
    """The promotion rule (see the module docstring) on ``measure(...)["all"]`` figures."""
    if candidate["top3"] != promoted["top3"]:
        return candidate["top3"] > promoted["top3"]
    return candidate["nll"] <= promoted["nll"]


def comparable(kb: KnowledgeBase, model: TrainedModel) -> bool:
    return model.meta.get("conditions") == [c.id for c in kb.conditions] and model.meta.get("symptoms") == kb.symptoms


# -- training -----------------------------------------------------------------------------------
def train_candidate(kb: KnowledgeBase, options: RetrainOptions, confirmed: labelling.MappedLabels) -> TrainedModel:
    """KB-sampled cases plus most of the confirmed training share, as :func:`engine.triage.training.train`
    otherwise; calibrated on the synthetic validation cases plus the rest of that share
    (``labels.CALIBRATION_SHARE``, drawn by a stable hash), which the classifier never learned from."""
    config = options.training
    started = time.perf_counter()
    learned, calibrating = labelling.split(confirmed, labelling.CALIBRATION_SHARE, salt="calibration")
    cases, y = sample_cases(kb, cases_per_condition(kb, config), config.seed, config.sampler)
    extra = learned.cases(kb) * options.label_weight
    y_extra = np.tile(np.asarray(learned.classes, dtype=y.dtype), options.label_weight)
    x = np.vstack([feature_matrix(kb, cases)] + ([feature_matrix(kb, extra)] if extra else []))
    y = np.concatenate([y, y_extra])
    val_cases, val_y = sample_cases(kb, config.validation_cases, config.seed + 1, config.sampler, by_prevalence=True)
    # The ensemble weight is fitted on confirmed cases too: fitted on synthetic cases alone it can
    # settle on the KB scorer only (weight 1.0), and then nothing the doctors taught is served. But
    # only on confirmed cases the classifier did not learn from: on its own training cases it looks
    # near perfect, and the weight and temperature fitted there over-trusted it on everything else.
    val_cases = list(val_cases) + calibrating.cases(kb)
    val_y = np.concatenate([val_y, np.asarray(calibrating.classes, dtype=val_y.dtype)])
    base = input_hash(kb, config)
    digest = hashlib.sha256(
        f"{base}:{confirmed.digest()}:{options.label_weight}:{labelling.CALIBRATION_SHARE}".encode()).hexdigest()
    return fit(kb, config, (x, y), (val_cases, val_y), digest, started, base_input_hash=base,
               confirmed_labels={"training": len(confirmed.labels), "learned": len(learned.labels),
                                 "calibration": len(calibrating.labels), "weight": options.label_weight,
                                 "digest": confirmed.digest()})


# -- one run ------------------------------------------------------------------------------------
def retrain(kb: KnowledgeBase, registry: Registry, confirmed: list[labelling.ConfirmedLabel],
            options: RetrainOptions | None = None) -> dict:
    """Train, compare, maybe promote; returns the decision (also recorded, see the module docstring)."""
    options = options or RetrainOptions()
    started = time.perf_counter()
    mapped = labelling.map_labels(kb, confirmed)
    train_part, held = labelling.split(mapped, options.heldout_share)
    candidate = train_candidate(kb, options, train_part)
    data = evaluation_set(kb, held, options.eval_cases)
    before = registry.promoted()
    current = registry.load(before) if before else None
    evaluation = {"candidate": measure(kb, candidate, data)}
    if current is None:
        promote, reason = True, "no promoted version"
    elif current.version == candidate.version:
        promote, reason = False, "candidate is the promoted version (same inputs)"
    elif not comparable(kb, current):
        promote, reason = True, "promoted version was trained on another knowledge base"
    else:
        evaluation["promoted"] = measure(kb, current, data)
        learned = int((current.meta.get("confirmed_labels") or {}).get("training", 0))
        if learned > len(train_part.labels):
            # Labels went missing (wrong database, failed export): the evaluation set then lacks
            # the confirmed cases too, and a KB-only candidate could undo what doctors taught.
            promote, reason = False, f"fewer confirmed labels than the promoted version learned from ({learned})"
        else:
            promote = not_worse(evaluation["candidate"]["all"], evaluation["promoted"]["all"])
            reason = "not worse than the promoted version" if promote else "worse than the promoted version"
    decision = {
        "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "candidate": candidate.version,
        "promoted_before": before,
        "promoted": promote,
        "reason": reason,
        "metric": METRIC,
        "evaluation": evaluation,
        "labels": {"read": len(confirmed), "mapped": len(mapped.labels), "training": len(train_part.labels),
                   "heldout": len(held.labels), "no_symptoms": mapped.no_symptoms,
                   "unmapped": dict(sorted(mapped.unmapped.items()))},
        "options": options.as_dict(),
    }
    candidate.meta["retrain"] = decision
    registry.save(candidate)
    if promote:
        registry.promote(candidate.version)
    decision["seconds"] = round(time.perf_counter() - started, 2)
    _log(registry, decision)
    return decision


def _log(registry: Registry, decision: dict) -> None:
    """Append-only: a re-run with the same inputs reuses the stored version but is still recorded."""
    registry.root.mkdir(parents=True, exist_ok=True)
    with (registry.root / "retrain_log.jsonl").open("a", encoding="utf-8") as log_file:
        log_file.write(json.dumps(decision, ensure_ascii=False) + "\n")


def decisions(registry: Registry) -> list[dict]:
    path = registry.root / "retrain_log.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


# -- jobs ---------------------------------------------------------------------------------------
class LabelsUnavailable(RuntimeError):
    """The portal's database could not be read (not migrated, unreachable)."""


@dataclass(frozen=True)
class RetrainJob:
    """What crosses the queue (plain JSON): where the labels and the registry are, and the options."""

    database_url: str = ""
    labels_path: str = ""
    model_dir: str = ""
    options: dict = field(default_factory=dict)


def run_job(payload: dict) -> dict:
    """The RQ job (and the in-process path): read labels, retrain, return the decision."""
    from engine.triage.kb import default_kb

    job = RetrainJob(**payload)
    if job.labels_path:
        confirmed = labelling.read_jsonl(Path(job.labels_path))
    elif job.database_url:
        try:
            confirmed = labelling.read_database(job.database_url)
        except Exception as exc:  # noqa: BLE001 - any database failure means the same to the operator
            raise LabelsUnavailable(f"portal labels not readable ({type(exc).__name__}); "
                                    "run `saathi portal migrate` or pass --labels FILE") from exc
    else:
        confirmed = []
    registry = Registry(Path(job.model_dir) if job.model_dir else None)
    return retrain(default_kb(), registry, confirmed, RetrainOptions.from_dict(job.options))


def enqueue(job: RetrainJob, redis_url: str, queue_name: str = QUEUE_NAME):
    """Queue the run on RQ (returns the ``rq.job.Job``); a worker: ``rq worker triage``."""
    import redis
    from rq import Queue

    queue = Queue(queue_name, connection=redis.Redis.from_url(redis_url))
    return queue.enqueue(run_job, asdict(job), job_timeout=3600, result_ttl=7 * 24 * 3600,
                         failure_ttl=7 * 24 * 3600, description="triage:retrain")
