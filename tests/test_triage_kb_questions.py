"""Follow-up questions chase what separates the leading conditions and, like a clinician, what rules
a danger in or out first (issue #16 item 3)."""

from __future__ import annotations

import numpy as np

from engine.triage import questions
from engine.triage.evidence import Evidence, log_prior, normalise
from engine.triage.kb import default_kb
from engine.triage.scorer import log_likelihood_terms, log_tables, softmax

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


def test_a_childs_squint_asks_about_eye_and_development_not_itching():
    """Only the conditions that explain the complaint are told apart: with a squint alone the
    leak's share of worms, colds and scabies once made "itching?" the best question (issue #16)."""
    first = ask(["squint"], age=4)
    assert first not in {"itching", "rash", "fever", "runny_nose", "diarrhoea"}
    leading = questions.explaining(KB, normalise(KB, Evidence(["squint"], [], 4, "m", None)))
    assert KB.listed[leading, KB.symptom_index[first]].any(), first


def test_only_conditions_listing_a_reported_finding_lead():
    ev = normalise(KB, Evidence(["white_pupil"], [], 2, "f", None))
    leading = {c.id for c, keep in zip(KB.conditions, questions.explaining(KB, ev), strict=True) if keep}
    assert {"retinoblastoma", "congenital_cataract"} <= leading and "intestinal_worms" not in leading
    nothing = normalise(KB, Evidence([], [], 30, "m", None))
    assert questions.explaining(KB, nothing).all()


def dialogue(present: list[str], turns: int = 6, age: float = 40, sex: str = "f") -> list[str]:
    """The questions asked in turn when every answer is no."""
    denied: list[str] = []
    for _ in range(turns):
        code = questions.best_question(KB, normalise(KB, Evidence(present, list(denied), age, sex, None)))
        if code is None:
            break
        denied.append(code)
    return denied


def test_a_headache_asks_how_it_began_among_the_first_questions():
    """A clinician asks a headache about a sudden start (thunderclap, NICE NG228) early; the knowledge
    base's way to ask it is the sudden very severe headache, and with a stiff neck it comes second."""
    assert "severe_headache" in dialogue(["headache", "neck_stiffness"])[:2]
    assert "severe_headache" in dialogue(["headache", "vomiting"])


def test_a_finding_that_says_it_began_suddenly_is_not_asked_again():
    for present in (["sudden_vision_loss"], ["severe_headache"], ["sudden_racing_heart"]):
        assert "sudden_onset" not in dialogue(present, turns=8)
    gains = questions.information_gains(KB, normalise(KB, Evidence(["dizziness"], [], 60, "f", None)))
    assert gains[KB.symptom_index["sudden_onset"]] > questions.MIN_GAIN  # asked where it separates


def test_a_plain_headache_asks_a_sudden_start_early_and_with_fever_a_stiff_neck():
    """Issue #16: a plain headache asked about a sudden start 42nd. Two causes in the chooser: the
    chance of a yes ignored that the person had not mentioned the finding (so the urgency term came
    out negative for danger questions), and the urgency term was myopic (a rare danger that one answer
    cannot lift over the line was never worth asking). Every answer here is no."""
    plain = dialogue(["headache"], turns=8, age=35, sex="m")
    assert "sudden_onset" in plain[:3], plain
    assert {"fever", "blurred_vision"} <= set(plain), plain
    assert "neck_stiffness" in dialogue(["headache", "fever"], turns=3, age=35, sex="m")


def test_the_answers_posteriors_average_to_the_present_one():
    """With the not-mentioned likelihood, P(yes) x posterior(yes) + P(no) x posterior(no) is the present
    posterior, for every finding; so no concave loss can lose by asking (the urgency term is >= 0)."""
    ev = normalise(KB, Evidence(["headache"], [], 35, "m", None))
    logits = log_prior(KB, ev) + log_likelihood_terms(KB, ev).sum(axis=1)
    now = softmax(logits)
    hidden = questions.hidden_likelihood(KB)
    log_yes, log_no, unmentioned = log_tables(KB)
    p_yes = now @ hidden
    post_yes = softmax((logits[:, None] + log_yes - unmentioned).T)
    post_no = softmax((logits[:, None] + log_no - unmentioned).T)
    mixed = p_yes[:, None] * post_yes + (1 - p_yes[:, None]) * post_no
    assert np.allclose(mixed, now[None, :], atol=1e-9)


def test_screening_counts_only_dangers_that_explain_the_complaint():
    ev = normalise(KB, Evidence(["toothache"], [], 30, "m", None))
    now = softmax(log_prior(KB, ev) + log_likelihood_terms(KB, ev).sum(axis=1))
    nothing = np.zeros(len(KB), dtype=bool)
    assert not questions.screening_value(KB, now, nothing).any()
    values = questions.screening_value(KB, now, KB.emergency_mask & questions.explaining(KB, ev))
    assert (values >= -1e-12).all()
    best = KB.symptoms[int(np.argmax(values))]
    assert KB.listed[KB.emergency_mask & questions.explaining(KB, ev), KB.symptom_index[best]].any(), best
