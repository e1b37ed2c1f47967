"""An urgent condition whose guideline sends its uncomplicated form home counts as urgent only with a finding
that guideline names (``urgent_needs`` in data/conditions, issue #13 item 1).

Found on our own sets: a child's bump on the head scored as head injury and concussion, a faint in the hot sun
as syncope and heat exhaustion, period pain as UTI and pelvic infection, and their shares of the differential
made self-care cases urgent. With a finding the guideline names (vomiting after the bump, chest pain before the
faint, burning urine, vaginal discharge) they count again; emergencies and red flags are untouched.
"""

from __future__ import annotations

import pytest

from engine.triage import Engine, urgency
from engine.triage.kb import URGENCY_LEVELS, KnowledgeBaseError, default_kb, load


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(kb=default_kb(), use_classifier=False)


def _level(engine: Engine, symptoms: list[str], age: float | None, sex: str = "f") -> str:
    ev = engine.evidence(None, symptoms, [], age, sex, None, None, None)
    return urgency.from_differential(engine.kb, engine.urgency_probabilities(ev), ev)


@pytest.mark.parametrize(("symptoms", "age", "sex", "level"), [
    (["head_injury", "lump"], 3, "m", "routine"),             # NICE NG232: no risk factor, home care
    (["head_injury", "lump", "vomiting"], 3, "m", "urgent"),  # any vomiting since the injury
    (["head_injury", "headache"], 30, "m", "urgent"),         # persistent headache
    (["head_injury", "lump"], 70, "f", "urgent"),             # not applied from 65
    (["fainting", "heat_exposure", "nausea"], 25, "f", "routine"),  # reflex syncope with prodrome, ESC 2018
    (["fainting", "chest_pain"], 25, "f", "urgent"),          # ESC 2018 high risk
    (["pelvic_pain", "abdominal_pain", "menstrual_pain"], 19, "f", "routine"),
    (["burning_urination", "frequent_urination"], 30, "f", "urgent"),   # UTI keeps its own findings
    (["pelvic_pain", "abdominal_pain", "vaginal_discharge", "fever"], 26, "f", "urgent"),
    (["injury", "joint_swelling"], 28, "m", "routine"),       # a sprain: Ottawa rules negative, home care
    (["injury", "joint_swelling", "unsteady_walk"], 28, "m", "urgent"),   # cannot bear weight
    (["injury", "limb_deformity"], 28, "m", "urgent"),
    (["injury", "joint_swelling", "prolonged_bleeding"], 14, "m", "urgent"),  # a joint bleed (WFH 2020)
])
def test_urgent_only_with_a_named_finding(engine, symptoms, age, sex, level):
    assert _level(engine, symptoms, age, sex) == level


def test_levels_gate_only_urgent_conditions_and_only_at_their_ages():
    kb = default_kb()
    assert kb.gated, "no condition carries urgent_needs"
    for i, needs, _ in kb.gated:
        condition = kb.conditions[i]
        assert condition.urgency == "urgent" and condition.urgent_needs_source
        assert needs <= set(kb.symptoms)
    head = kb.index["head_injury"]
    assert kb.levels(["head_injury"], 30)[head] == 0
    assert kb.levels(["head_injury", "vomiting"], 30)[head] == URGENCY_LEVELS.index("urgent")
    assert kb.levels(["head_injury"], 80)[head] == URGENCY_LEVELS.index("urgent")
    assert kb.levels(["head_injury"], None)[head] == 0  # an unknown age is covered
    fracture = kb.index["fracture_sprain"]
    assert kb.levels(["injury", "joint_swelling"], 30)[fracture] == 0
    assert kb.levels(["injury", "joint_swelling"], 70)[fracture] == URGENCY_LEVELS.index("urgent")
    assert kb.levels(["injury", "joint_swelling"], 3)[fracture] == URGENCY_LEVELS.index("urgent")
    emergencies = kb.level_ranks == URGENCY_LEVELS.index("emergency")
    assert (kb.levels([], 30)[emergencies] == URGENCY_LEVELS.index("emergency")).all()


def test_the_differential_still_lists_a_gated_condition(engine):
    result = engine.triage("my 3 year old bumped his head on the table, small lump, no vomiting, playing normally",
                           age=3, sex="m")
    assert result.urgency == "routine"
    assert "head_injury" in [c.id for c in result.conditions]
    assert engine.triage("my 3 year old bumped his head and has vomited twice", age=3, sex="m").urgency != "routine"


@pytest.mark.parametrize(("block", "message"), [
    ("  urgent_needs: {any: [vomiting]}\n", "without a source"),
    ("  urgent_needs: {any: [no_such_code], source: x}\n", "no_such_code"),
    ("  urgent_needs: {any: [vomiting], when: x, source: x}\n", "unknown keys"),
    ("  urgent_needs: {any: [vomiting], ages: [65, 3], source: x}\n", "empty"),
])
def test_malformed_urgent_needs_are_refused(tmp_path, block, message):
    from engine.triage.kb import CONDITIONS_DIR

    text = (CONDITIONS_DIR / "emergencies_children.yml").read_text(encoding="utf-8")
    start = text.index("- id: head_injury")
    end = text.index("  urgent_needs:", start)  # the entry without its own rule, then the malformed one
    (tmp_path / "one.yml").write_text(text[start:end] + block, encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match=message):
        load(tmp_path)


def test_urgent_needs_on_an_emergency_condition_is_refused(tmp_path):
    from engine.triage.kb import CONDITIONS_DIR

    text = (CONDITIONS_DIR / "emergencies_children.yml").read_text(encoding="utf-8")
    start = text.index("- id: head_injury")
    entry = text[start:text.index("\n- id:", start)].replace("urgency: urgent", "urgency: emergency")
    (tmp_path / "one.yml").write_text(entry + "\n", encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match="not urgent"):
        load(tmp_path)


@pytest.mark.parametrize(("text", "code"), [
    ("twisted my ankle, can't walk on it", "unsteady_walk"),
    ("cannot put any weight on my foot after the fall", "unsteady_walk"),
    ("pair zameen par nahi rakh pa raha", "unsteady_walk"),
    ("I think my wrist is fractured", "limb_deformity"),
    ("haddi toot gayi lagti hai", "limb_deformity"),
    ("ਡਿੱਗ ਕੇ ਹੱਡੀ ਟੁੱਟ ਗਈ", "limb_deformity"),
    ("gir gaya haath ke bal, kalai mudi hui dikhti hai", "limb_deformity"),
])
def test_the_findings_a_fracture_needs_are_read(text, code):
    """Ottawa's 'cannot bear weight' and a bone told broken are read, so a fracture keeps its urgency."""
    from engine.triage.text import read_text

    assert code in read_text(text).present
