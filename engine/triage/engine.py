"""The triage engine: evidence in, ranked differential with urgency, specialist and advice out.

One ``Engine`` holds the knowledge base and the promoted classifier version (loaded once, trained
on first use when none exists). ``engine/triage/__init__.py`` exposes a process-wide instance
through ``triage()`` and ``next_question()``; tests build their own with a private registry.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass, field, replace

import numpy as np

from engine.i18n import normalise_language
from engine.triage import ensemble, explain, priors, questions, second_opinion, text, urgency
from engine.triage.evidence import Evidence, feasible, normalise, restrict, with_flag_findings
from engine.triage.kb import Condition, KnowledgeBase, default_kb
from engine.triage.model import features, predict
from engine.triage.registry import Registry
from engine.triage.scorer import log_scores
from engine.triage.training import TrainedModel

log = logging.getLogger(__name__)

MAX_CONDITIONS = 5
MIN_CONDITIONS = 3
MIN_PROBABILITY = 0.02
MAX_WATCHED = 2
#: next_question answers an engine remembers (a few conversations' worth of form turns)
QUESTIONS_REMEMBERED = 256


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
    #: Reported symptoms the condition rarely has.
    against: list[str]
    unmentioned: list[str]
    #: Symptoms the patient said they do not have although the condition usually brings them.
    denied: list[str] = field(default_factory=list)


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
    #: Readings past a threshold (``nlu.vitals.Finding``: level, value shown, limit, message key).
    vitals: list = field(default_factory=list)
    #: Readings that cannot be right (``nlu.vitals.Implausible``): ask the person to send them again.
    vitals_unclear: list = field(default_factory=list)
    #: Emergency conditions the differential cannot rule out (urgency was raised for them).
    watch: list[RankedCondition] = field(default_factory=list)

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
        #: next_question's answers by its normalised evidence (see :meth:`next_question`)
        self._questions: OrderedDict[tuple, str | None] = OrderedDict()
        self._questions_lock = threading.Lock()  # not the model's: a model load must not hold up a question

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

    def scores(self, evidence: Evidence) -> np.ndarray:
        """The knowledge-base scorer's log posterior per condition: the one naive-Bayes pass a triage call
        makes, shared by the differential's mix and the urgency distribution (with 450+ conditions a
        second pass was a measurable share of the call)."""
        return log_scores(self.kb, evidence)

    def probabilities(self, evidence: Evidence, scores: np.ndarray | None = None) -> np.ndarray:
        """The differential; a condition that cannot apply to this person (``feasible``) gets 0, so
        the classifier, which only learnt the limits approximately, can never list it.

        ``scores`` is ``self.scores(evidence)`` when the caller already has it (``triage``)."""
        nb = self.scores(evidence) if scores is None else scores
        model = self.model
        if model is None:
            combined = ensemble.combine(nb, None, ensemble.Calibration())
        else:
            xg = ensemble.xgb_logits(predict(model.booster, features(self.kb, evidence))[0], self.kb.prevalence)
            combined = ensemble.combine(nb, xg, model.calibration)
        return restrict(combined, feasible(self.kb, evidence))

    def urgency_probabilities(self, evidence: Evidence, scores: np.ndarray | None = None) -> np.ndarray:
        """The distribution urgency and the dangers watched are decided on: the knowledge-base scorer
        alone (uncalibrated temperature 1, no classifier, no priors), restricted like the differential.

        Why not the differential: the classifier's share of it depends on its training seed (sampled
        cases, row and column subsampling, the fitted mixing weight), and so did urgency: retraining the
        same knowledge base with only the seed changed moved outside_clinical self-care over-triage
        from 10/45 to 14/45 and flipped own cases from routine to urgent (issue #16, the gate helper's
        report). The scorer is the knowledge base's own posterior: same evidence, same level, for
        every trained version. The classifier still ranks the conditions shown.

        ``scores`` is ``self.scores(evidence)`` when the caller already has it (``triage``)."""
        nb = ensemble.combine(self.scores(evidence) if scores is None else scores, None, ensemble.Calibration())
        return restrict(nb, feasible(self.kb, evidence))

    def with_priors(self, probabilities: np.ndarray, evidence: Evidence) -> np.ndarray:
        """The differential reweighted by the season and region priors (``engine.triage.priors``);
        unchanged when the month and place are unknown. Used to rank, never to decide urgency."""
        where = priors.Where(evidence.state, evidence.district)
        return priors.apply(probabilities, priors.factors(self.kb, evidence.month, where))

    # -- evidence ------------------------------------------------------------------------------
    def evidence(self, text_in: str | None, symptoms, negated, age, sex, pregnant, duration_days,
                 severity, when=None, state=None, district=None) -> Evidence:
        read = text.read_text(text_in)
        raw = Evidence(
            present=list(dict.fromkeys(read.present + list(symptoms or []))),
            negated=list(dict.fromkeys(read.negated + list(negated or []))),
            age=age,
            sex=(sex or "").lower()[:1] or None,
            pregnant=pregnant,
            duration_days=duration_days if duration_days is not None else read.duration_days,
            severity=severity,
            month=priors.month_of(when),
            state=state or None,
            district=district or None,
        )
        return normalise(self.kb, raw)

    # -- public --------------------------------------------------------------------------------
    def triage(self, text_in: str | None = None, *, symptoms=None, negated=None, age=None, sex=None,
               pregnant=None, duration_days=None, severity=None, language=None, when=None, state=None,
               district=None) -> TriageResult:
        """``when`` (a date or ISO date string) and ``state``/``district`` (code or name) are the
        consultation's month and place for the season and region priors; they reorder the
        differential and never change the urgency."""
        ev = self.evidence(text_in, symptoms, negated, age, sex, pregnant, duration_days, severity, when, state,
                           district)
        lang = normalise_language(language or text.language_of(text_in))
        flags = text.red_flags(text_in, ev.present, ev.age, ev.sex, ev.pregnant)
        flag_ids = list(dict.fromkeys(f.id for f in flags))
        # readings explain themselves (value, limit); the others are named by their symptom
        # (the safety net's flag names no symptom: it has code "" and its own sentence)
        flag_codes = list(dict.fromkeys(f.code for f in flags if not f.id.startswith("vital_") and f.code))
        findings, unclear = text.vital_signs(text_in, ev.present, ev.age, ev.sex, ev.pregnant)
        signs = text.urgent_flags(text_in, ev.present, ev.age, ev.sex, ev.pregnant)
        net = text.safety_net_level(text_in)
        reported = ev.present  # what the person said, as the contract's "symptoms"
        ev = with_flag_findings(self.kb, ev, flag_ids, [f.id for f in findings],
                                text.facts_of(text_in) | set(flag_ids) | {s.id for s in signs},
                                text.reading_findings(text_in))
        if not ev.present:  # the lexicon found nothing: where a second opinion helps most
            return second_opinion.attach(self._no_symptoms(ev, lang, flags, flag_codes, findings, unclear, net,
                                                           signs), text_in)
        scores = self.scores(ev)  # one scorer pass for both distributions
        probs = self.probabilities(ev, scores)
        deciding = self.urgency_probabilities(ev, scores)  # urgency and the dangers watched: seed-free, no priors
        level, net_note = self._safety_net(urgency.decide(self.kb, deciding, ev, flags, findings, signs), net, flags)
        net_note = _with_signs(net_note, signs, level)
        ranking = self.with_priors(probs, ev)
        doctor = urgency.specialist(self.kb, ranking, ev, level)
        ranked = [replace(r, icd10=self.kb.by_id(r.id).reported_code(text_in, ev.age)) for r in self._ranked(ranking, ev)]
        watch = [self._entry(self.kb.conditions[i], float(probs[i]), ev)
                 for i in urgency.dangers(self.kb, deciding)[:MAX_WATCHED]] if level != "emergency" else []
        lines = [
            explain.condition_line(self.kb.by_id(r.id), r.probability,
                                   explain.Reasons(r.supporting, r.against, r.unmentioned, r.denied), lang)
            for r in ranked
        ]
        top = self.kb.by_id(ranked[0].id) if ranked else None
        result = TriageResult(
            language=lang,
            symptoms=reported,
            negated=ev.negated,
            urgency=level,
            red_flags=flag_ids,
            red_flag_reasons=[f.reason for f in flags],
            conditions=ranked,
            specialist=doctor,
            advice=explain.advice(level, doctor, top, lang, [self.kb.by_id(w.id) for w in watch], unclear),
            explanation=explain.explanation(lines, flag_codes, lang, findings, safety_net=bool(net_note)),
            model_version=self.model.version if self.model else None,
            rules_version=text.RULES_VERSION,
            vitals=findings,
            vitals_unclear=list(unclear),
            watch=watch,
            extra=net_note,
        )
        return second_opinion.attach(result, text_in)  # unchanged unless a local LLM is available

    def next_question(self, symptoms, negated, age=None, sex=None, pregnant=None, when=None, state=None,
                      district=None) -> str | None:
        """The most informative symptom to ask about next (``questions.best_question``), remembered
        by its evidence: a form turn asks it up to three times over the same slots (rasa-sdk's
        ``required_slots`` for extraction, validation and the next slot), and with 500+ conditions
        one answer costs a few ms of the action server's CPU. The answer depends only on this
        engine's knowledge base and the evidence, so a remembered one is the same."""
        ev = normalise(self.kb, Evidence(list(symptoms or []), list(negated or []), age,
                                         (sex or "").lower()[:1] or None, pregnant, month=priors.month_of(when),
                                         state=state or None, district=district or None))
        key = (tuple(ev.present), tuple(ev.negated), ev.age, ev.sex, ev.pregnant, ev.month, ev.state, ev.district)
        with self._questions_lock:
            if key in self._questions:
                self._questions.move_to_end(key)
                return self._questions[key]
        answer = questions.best_question(self.kb, ev)
        with self._questions_lock:
            self._questions[key] = answer
            if len(self._questions) > QUESTIONS_REMEMBERED:
                self._questions.popitem(last=False)
        return answer

    def forget_questions(self) -> None:
        """Drop the remembered :meth:`next_question` answers (a bench timing the work itself)."""
        with self._questions_lock:
            self._questions.clear()

    # -- helpers -------------------------------------------------------------------------------
    def _ranked(self, probs: np.ndarray, ev: Evidence) -> list[RankedCondition]:
        order = np.argsort(-probs)
        chosen = [i for k, i in enumerate(order[:MAX_CONDITIONS])
                  if probs[i] > 0 and (k < MIN_CONDITIONS or probs[i] >= MIN_PROBABILITY)]
        return [self._entry(self.kb.conditions[i], float(probs[i]), ev) for i in chosen]

    @staticmethod
    def _entry(c: Condition, p: float, ev: Evidence) -> RankedCondition:
        why = explain.reasons(c, ev)
        return RankedCondition(c.id, c.icd10, p, c.urgency, c.specialist, c.names, c.self_care,
                               c.warning_signs, why.supporting, why.against, why.unmentioned, why.denied)

    @staticmethod
    def _safety_net(level: str, net: tuple[str | None, str | None], flags: list) -> tuple[str, dict]:
        """The level after the safety net's urgent tier, and its reason (as ``extra``) when the net decided.

        It decided when it raised the level, or when its red flag is the only one.
        """
        raised = urgency.raise_for_safety_net(level, net[0])
        alone = bool(flags) and all(f.id == text.safety_net.RULE_ID for f in flags)
        return raised, ({"safety_net": net[1]} if raised != level or alone else {})

    def _no_symptoms(self, ev: Evidence, lang: str, flags: list, flag_codes: list[str], findings: list,
                     unclear: tuple, net: tuple[str | None, str | None], signs: list) -> TriageResult:
        """Nothing recognised: no differential to rank, but red flags, readings, urgent signs and the safety
        net still decide urgency."""
        flag_ids = list(dict.fromkeys(f.id for f in flags))
        level, note = self._safety_net("emergency" if flag_ids else urgency.raise_for_signs(urgency.raise_for_vitals(
            urgency.raise_for_context("routine", ev), findings), signs), net, flags)
        note = _with_signs(note, signs, level)
        doctor = "emergency" if flag_ids else urgency.first_contact(ev)
        advice = (explain.advice(level, doctor, None, lang, unclear=unclear) if flag_ids or findings or note
                  or signs
                  else " ".join([explain.unclear_line(u, lang) for u in unclear]
                                + [explain.t("triage_advice_no_symptoms", lang)]))
        return TriageResult(lang, [], ev.negated, level, flag_ids, [f.reason for f in flags], [], doctor, advice,
                            explain.explanation([], flag_codes, lang, findings, safety_net=bool(note)), None,
                            text.RULES_VERSION, vitals=findings, vitals_unclear=list(unclear), extra=note)


def _with_signs(extra: dict, signs: list, level: str) -> dict:
    """``extra`` plus the reasons of the urgent-level signs that set the floor (``urgent_signs``), if any."""
    if not signs or level == "emergency":
        return extra
    return {**extra, "urgent_signs": [sign.reason for sign in signs]}
