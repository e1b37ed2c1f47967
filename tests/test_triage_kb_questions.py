"""Follow-up questions chase what separates the leading conditions and, like a clinician, what rules
a danger in or out first (issue #16 item 3)."""

from __future__ import annotations

from engine.triage import questions
from engine.triage.evidence import Evidence, normalise
from engine.triage.kb import default_kb

KB = default_kb()
DANGER_SIGNS = {"confusion", "neck_stiffness", "seizure", "photophobia", "severe_headache", "unconsciousness"}


def ask(present: list[str], age: float = 30, sex: str = "m") -> str | None:
    return questions.best_question(KB, normalise(KB, Evidence(present, [], age, sex, None)))


def test_headache_with_fever_asks_a_danger_sign_first(monkeypatch):
    assert ask(["headache", "fever"]) in DANGER_SIGNS
    monkeypatch.setattr(questions, "DANGER_WEIGHT", 0.0)  # without the urgency term it would not
    assert ask(["headache", "fever"]) not in DANGER_SIGNS


def test_questions_follow_the_complaint():
    """Different complaints, different questions: not a fixed list."""
    firsts = {ask(["toothache"]), ask(["eye_redness"]), ask(["cough"]), ask(["joint_pain"], 60, "f")}
    assert len(firsts) == 4 and None not in firsts


def test_the_danger_term_is_zero_when_no_answer_changes_the_urgency_decision():
    assert questions._urgency_loss(0.0) == 0.0 and questions._urgency_loss(1.0) == 0.0
    edge = 1 / (1 + questions.UNDER_COST)
    assert abs(questions._urgency_loss(edge) - questions.UNDER_COST * edge) < 1e-9
