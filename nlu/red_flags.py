"""The project's one deterministic, versioned red-flag rule set (emergencies get 108/112 at once).

Rules are data (``data/red_flags.json``), each with a cited source, so clinicians can review them
without reading code; the triage engine and the Rasa ``RedFlagDetector`` both call
``detect_red_flags``. It works from the text alone: besides symptom codes it matches its own
phrase *signals* ("dil ka daura", "pasli chal rahi", "current laga") in every script, and any codes
the caller already knows are added. Negated mentions ("saanp ne nahi kaata", "no chest pain")
never fire a rule. The reason is English and technical; what to tell the user is the dialogue's job.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from nlu.matcher import PhraseMatcher
from nlu.negation import negation_flags
from nlu.resources import DATA_DIR, filler_words, protected_words, read_json
from nlu.slots import age_in_text
from nlu.symptoms import catalogue, match_symptoms
from nlu.text import tokenize

RULES_PATH = DATA_DIR / "red_flags.json"
CHILD_MAX_AGE = 5.0  # years; WHO IMCI covers children up to 5
CONTEXT_FACTS = frozenset({"pregnant", "child", "male"})


@dataclass(frozen=True)
class RedFlag:
    """A fired rule: its ``id``, the symptom ``code`` it is about, and an English technical ``reason``."""

    id: str
    code: str
    reason: str


@dataclass(frozen=True)
class Clause:
    """Holds when every fact in ``all`` and at least one in ``any`` (if given) are present."""

    all: frozenset[str]
    any: frozenset[str]
    age_min: float | None = None
    age_max: float | None = None
    age_known: bool = False

    def matched(self, facts: set[str], age: float | None) -> list[str] | None:
        if age is None and self.age_known:
            return None
        if age is not None and (
            (self.age_max is not None and age > self.age_max) or (self.age_min is not None and age < self.age_min)
        ):
            return None
        if not self.all <= facts:
            return None
        hits = sorted(self.any & facts)
        if self.any and not hits:
            return None
        return sorted(self.all) + hits


@dataclass(frozen=True)
class Rule:
    id: str
    code: str
    reason: str
    source: str
    clauses: tuple[Clause, ...]

    def facts(self) -> set[str]:
        return {fact for clause in self.clauses for fact in clause.all | clause.any}


@lru_cache(maxsize=1)
def _ruleset() -> dict:
    return read_json(RULES_PATH)


RULES_VERSION: str = _ruleset()["version"]


@lru_cache(maxsize=1)
def rules() -> tuple[Rule, ...]:
    """All rules, validated: every fact must be a symptom code, a signal or a context fact."""
    data = _ruleset()
    known = set(catalogue()) | set(data["signals"]) | CONTEXT_FACTS
    loaded = []
    for item in data["rules"]:
        clauses = tuple(
            Clause(
                frozenset(clause.get("all", ())),
                frozenset(clause.get("any", ())),
                clause.get("age_min"),
                clause.get("age_max"),
                bool(clause.get("age_known", False)),
            )
            for clause in item["when"]
        )
        rule = Rule(item["id"], item["code"], item["reason"], item["source"], clauses)
        unknown = rule.facts() - known
        if unknown or rule.code not in catalogue() or not rule.source:
            raise ValueError(f"red-flag rule {rule.id}: unknown facts {sorted(unknown)} or code/source missing")
        loaded.append(rule)
    return tuple(loaded)


@lru_cache(maxsize=1)
def _signals() -> PhraseMatcher:
    phrases = ((name, phrase) for name, forms in _ruleset()["signals"].items() for phrase in forms)
    return PhraseMatcher(phrases, protected_words(), fillers=filler_words())


def text_facts(text: str) -> set[str]:
    """Symptom codes and signals asserted (not negated) in ``text``."""
    tokens = tokenize(text)
    if not tokens:
        return set()
    signals = _signals().find(tokens)
    # A signal phrase that contains a shorter symptom phrase decides its meaning: "dil ka daura"
    # (heart attack) is not a "daura" (fit).
    symptoms = [
        m for m in match_symptoms(text, tokens, implied=True)
        if not any(s.first <= m.first and m.last <= s.last and s.last - s.first > m.last - m.first for s in signals)
    ]
    found = symptoms + signals
    flags = negation_flags(text, tokens, [(m.first, m.last) for m in found])
    return {match.label for match, negated in zip(found, flags, strict=True) if not negated}


def facts_for(
    text: str,
    symptoms: Iterable[str] | None = None,
    age: float | None = None,
    sex: str | None = None,
    pregnant: bool | None = None,
) -> set[str]:
    """Everything the rules can test: text facts, given codes, and the ``pregnant``/``child``/``male`` context."""
    facts = text_facts(text) | set(symptoms or ())
    if pregnant:
        facts.add("pregnant")
    if sex == "m":
        facts.discard("pregnant")
        facts.add("male")
    if (age is not None and age < CHILD_MAX_AGE) or (age is None and "small_child" in facts):
        facts.add("child")
    return facts


def detect_red_flags(
    text: str,
    symptoms: list[str] | None = None,
    age: float | None = None,
    sex: str | None = None,
    pregnant: bool | None = None,
) -> list[RedFlag]:
    """Rules that fire for this message (and what is already known about the patient), in rule order."""
    if age is None:
        age = age_in_text(text or "")  # "1 month old baby has fever" is a young infant
    facts = facts_for(text or "", symptoms, age, sex, pregnant)
    fired = []
    for rule in rules():
        for clause in rule.clauses:
            matched = clause.matched(facts, age)
            if matched is not None:
                fired.append(RedFlag(rule.id, rule.code, f"{rule.reason} Matched: {' + '.join(matched)}."))
                break
    return fired


def is_emergency(text: str, **context) -> bool:
    return bool(detect_red_flags(text, **context))
