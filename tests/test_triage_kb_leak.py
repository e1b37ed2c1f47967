"""A finding's own leak (``leak`` column of data/symptoms.tsv, issue #16): a sign almost never reported without
one of its few causes must not be explained by any common condition's 1.5 % background rate."""

from __future__ import annotations

import numpy as np
import pytest

from engine.triage import Engine
from engine.triage.kb import LEAK, KnowledgeBaseError, default_kb, load


def test_a_specific_sign_keeps_its_own_leak_and_its_causes_their_likelihoods():
    kb = default_kb()
    j = kb.symptom_index["white_pupil"]
    causes = {c.id for c in kb.conditions if "white_pupil" in c.symptoms}
    assert {"retinoblastoma", "congenital_cataract", "cataract"} <= causes
    for i, condition in enumerate(kb.conditions):
        expected = condition.symptoms.get("white_pupil", 0.001)
        assert kb.likelihood[i, j] == pytest.approx(expected), condition.id
    assert kb.likelihood[kb.index["common_cold"], kb.symptom_index["fever"]] > LEAK  # others untouched


@pytest.mark.parametrize(("symptoms", "age", "expected"), [
    (["white_pupil"], 2, {"retinoblastoma", "congenital_cataract"}),
    (["white_pupil"], 0.3, {"retinoblastoma", "congenital_cataract"}),
    (["white_pupil", "blurred_vision"], 70, {"cataract"}),
])
def test_a_white_pupil_leads_to_its_causes_for_the_age(symptoms, age, expected):
    engine = Engine(kb=default_kb(), use_classifier=False)
    probabilities = engine.probabilities(engine.evidence(None, symptoms, [], age, "f", None, None, None))
    top = {engine.kb.conditions[i].id for i in np.argsort(-probabilities)[: len(expected)]}
    assert top == expected


def test_a_leak_outside_zero_and_one_is_refused(tmp_path):
    from config.paths import ROOT

    text = (ROOT / "data" / "symptoms.tsv").read_text(encoding="utf-8").replace("\t0.001", "\t1.5")
    (tmp_path / "symptoms.tsv").write_text(text, encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match="white_pupil"):
        load(symptoms_tsv=tmp_path / "symptoms.tsv")
