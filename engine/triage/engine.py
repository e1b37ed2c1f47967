"""The triage engine: evidence in, ranked differential with urgency, specialist and advice out.

One ``Engine`` holds the knowledge base and the promoted classifier version (loaded once, trained
on first use when none exists). ``engine/triage/__init__.py`` exposes a process-wide instance
through ``triage()`` and ``next_question()``; tests build their own with a private registry.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

import numpy as np

from engine.i18n import normalise_language
from engine.triage import ensemble, explain, questions, second_opinion, text, urgency
from engine.triage.evidence import Evidence, normalise
from engine.triage.kb import Condition, KnowledgeBase, default_kb
from engine.triage.model import features, predict
from engine.triage.registry import Registry
from engine.triage.scorer import log_scores
from engine.triage.training import TrainedModel

log = logging.getLogger(__name__)

MAX_CONDITIONS = 5
MIN_CONDITIONS = 3
MIN_PROBABILITY = 0.02


@dataclass(frozen=True)
class RankedCondition:
    """One differential entry with everything the dialogue needs to render it in any language."""

    id: str
    icd10: str
    probability: float
    urgency: str
    specialist: str
    names: dict[str, str]
    self_care: dict[str, str]
    warning_signs: dict[str, str]
    supporting: list[str]
    against: list[str]
    unmentioned: list[str]


@dataclass
class TriageResult:
    language: str
    symptoms: list[str]
    negated: list[str]
    urgency: str
    red_flags: list[str]
    red_flag_reasons: list[str]
    conditions: list[RankedCondition]
    specialist: str
    advice: str
    explanation: str
    model_version: str | None = None
    rules_version: str | None = None
    extra: dict = field(default_factory=dict)

    def to_contract(self) -> dict:
        """Exactly the contract's ``saathi triage`` object."""
        return {
            "language": self.language,
            "symptoms": self.symptoms,
            "urgency": self.urgency,
            "red_flags": self.red_flags,
            "conditions": [
                {"name": c.names["en"], "icd10": c.icd10, "probability": round(c.probability, 3)}
                for c in self.conditions
            ],
            "specialist": self.specialist,
            "advice": self.advice,
            "explanation": self.explanation,
        }


class Engine:
    def __init__(self, kb: KnowledgeBase | None = None, registry: Registry | None = None,
                 use_classifier: bool = True) -> None:
        self.kb = kb or default_kb()
        self.registry = registry or Registry()
        self.use_classifier = use_classifier
        self._model: TrainedModel | None = None
        self._lock = threading.Lock()

    # -- model ---------------------------------------------------------------------------------
    @property
    def model(self) -> TrainedModel | None:
        if not self.use_classifier:
            return None
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self._model = self.registry.serving(self.kb)
        return self._model

    def reload(self) -> None:
        """Pick up a newly promoted (or rolled back) version."""
        self._model = None

    def probabilities(self, evidence: Evidence) -> np.ndarray:
        nb = log_scores(self.kb, evidence)
        model = self.model
        if model is None:
            return ensemble.combine(nb, None, ensemble.Calibration())
        xg = ensemble.xgb_logits(predict(model.booster, features(self.kb, evidence))[0], self.kb.prevalence)
        return ensemble.combine(nb, xg, model.calibration)

    # -- evidence ------------------------------------------------------------------------------
    def evidence(self, text_in: str | None, symptoms, negated, age, sex, pregnant, duration_days,
                 severity) -> Evidence:
        read = text.read_text(text_in)
        raw = Evidence(
            present=list(dict.fromkeys(read.present + list(symptoms or []))),
            negated=list(dict.fromkeys(read.negated + list(negated or []))),
            age=age,
            sex=(sex or "").lower()[:1] or None,
            pregnant=pregnant,
            duration_days=duration_days if duration_days is not None else read.duration_days,
            severity=severity,
        )
        return normalise(self.kb, raw)

    # -- public --------------------------------------------------------------------------------
    def triage(self, text_in: str | None = None, *, symptoms=None, negated=None, age=None, sex=None,
               pregnant=None, duration_days=None, severity=None, language=None) -> TriageResult:
        ev = self.evidence(text_in, symptoms, negated, age, sex, pregnant, duration_days, severity)
        lang = normalise_language(language or text.language_of(text_in))
        flags = text.red_flags(text_in, ev.present, ev.age, ev.sex, ev.pregnant)
        flag_ids = list(dict.fromkeys(f.id for f in flags))
        flag_codes = list(dict.fromkeys(f.code for f in flags))
        if not ev.present:  # the lexicon found nothing: where a second opinion helps most
            return second_opinion.attach(self._no_symptoms(ev, lang, flag_ids, flag_codes,
                                                           [f.reason for f in flags]), text_in)
        probs = self.probabilities(ev)
        level = urgency.decide(self.kb, probs, ev, flags)
        doctor = urgency.specialist(self.kb, probs, ev, level)
        ranked = self._ranked(probs, ev)
        lines = [
            explain.condition_line(self.kb.by_id(r.id), r.probability,
                                   explain.Reasons(r.supporting, r.against, r.unmentioned), lang)
            for r in ranked
        ]
        top = self.kb.by_id(ranked[0].id) if ranked else None
        result = TriageResult(
            language=lang,
            symptoms=ev.present,
            negated=ev.negated,
            urgency=level,
            red_flags=flag_ids,
            red_flag_reasons=[f.reason for f in flags],
            conditions=ranked,
            specialist=doctor,
            advice=explain.advice(level, doctor, top, lang),
            explanation=explain.explanation(lines, flag_codes, lang),
            model_version=self.model.version if self.model else None,
            rules_version=text.RULES_VERSION,
        )
        return second_opinion.attach(result, text_in)  # unchanged unless a local LLM is available

    def next_question(self, symptoms, negated, age=None, sex=None, pregnant=None) -> str | None:
        ev = normalise(self.kb, Evidence(list(symptoms or []), list(negated or []), age,
                                         (sex or "").lower()[:1] or None, pregnant))
        return questions.best_question(self.kb, ev)

    # -- helpers -------------------------------------------------------------------------------
    def _ranked(self, probs: np.ndarray, ev: Evidence) -> list[RankedCondition]:
        order = np.argsort(-probs)
        chosen = [i for k, i in enumerate(order[:MAX_CONDITIONS])
                  if k < MIN_CONDITIONS or probs[i] >= MIN_PROBABILITY]
        return [self._entry(self.kb.conditions[i], float(probs[i]), ev) for i in chosen]

    @staticmethod
    def _entry(c: Condition, p: float, ev: Evidence) -> RankedCondition:
        why = explain.reasons(c, ev)
        return RankedCondition(c.id, c.icd10, p, c.urgency, c.specialist, c.names, c.self_care,
                               c.warning_signs, why.supporting, why.against, why.unmentioned)

    def _no_symptoms(self, ev: Evidence, lang: str, flag_ids: list[str], flag_codes: list[str],
                     reasons: list[str]) -> TriageResult:
        """Nothing recognised: no differential to rank, but red flags still decide urgency."""
        level = "emergency" if flag_ids else urgency.raise_for_context("routine", ev)
        doctor = "emergency" if flag_ids else "general_physician"
        advice = (explain.advice(level, doctor, None, lang) if flag_ids
                  else explain.t("triage_advice_no_symptoms", lang))
        return TriageResult(lang, [], ev.negated, level, flag_ids, reasons, [], doctor, advice,
                            explain.explanation([], flag_codes, lang), None, text.RULES_VERSION)
