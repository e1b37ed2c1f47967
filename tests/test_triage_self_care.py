"""Self-care cases are not sent to a doctor within a day by rules that have no source (issue #13 item 1).

Two mechanisms raised them, found on our own sets (``tests/data/triage_wide.yml``, the ``emsc-`` cases
written from NHS self-care pages and WHO IMCI home-care classifications): "any illness under 1 year is
urgent" (teething, colic, nappy rash at 3-11 months), and a normal temperature listed with the vital
signs ("Temperature 37.2 C") read as a fever. Young infants and infant fevers stay urgent, and the
red-flag rules, which read the text themselves, are untouched.
"""

from __future__ import annotations

import pytest

from engine.triage import urgency
from engine.triage.evidence import Evidence
from engine.triage.text import read_text
from nlu.vitals import measured_afebrile, names_measurement


@pytest.mark.parametrize(("age", "present", "level"), [
    (0.1, ["cough"], "urgent"),           # 5 weeks: a sick young infant (WHO IMCI, under 2 months)
    (0.1, ["rash"], "routine"),           # 5 weeks, a nappy rash alone: IMNCI local skin problem, home care
    (0.1, ["rash", "fever"], "urgent"),   # ...but not beside a fever or anything else
    (0.1, ["rash", "poor_feeding"], "urgent"),
    (0.15, [], "urgent"),
    (0.3, ["excessive_crying"], "routine"),  # 3-4 months, colic: NHS self-care
    (0.58, ["swollen_glands"], "routine"),   # 7 months, teething
    (0.33, ["fever"], "urgent"),          # fever at 4 months: NICE NG143 amber cannot be ruled out
    (0.5, ["fever"], "urgent"),           # 6 months exactly still counts
    (0.33, ["fever", "recent_vaccination"], "routine"),  # the day of a vaccine at 4 months: a minor AEFI (MoHFW 2015)
    (0.2, ["fever", "recent_vaccination"], "urgent"),    # under 3 months any fever stays urgent (NICE NG143 red)
    (0.75, ["fever"], "routine"),         # 9 months, fever without anything else: the differential decides
    (None, ["rash"], "routine"),
])
def test_infant_context(age, present, level):
    assert urgency.raise_for_context("routine", Evidence(present=present, age=age)) == level


def test_context_never_lowers():
    assert urgency.raise_for_context("emergency", Evidence(present=["rash"], age=0.7)) == "emergency"
    assert urgency.raise_for_context("urgent", Evidence(present=["rash"], age=0.7)) == "urgent"


@pytest.mark.parametrize(("text", "fever"), [
    ("A 24-year-old with sore throat. Temperature 37.2 C, pulse 80", False),
    ("temp 98.6, cough since 2 days", False),
    ("तापमान 98 है, खांसी", False),
    ("ਤਾਪਮਾਨ 36.9, ਖੰਘ", False),
    ("temperature 99 F, runny nose", False),
    ("temp 101 F, cough", True),            # a fever reading
    ("tapman 37.5, khansi", True),          # 37.5 °C is a fever (WHO IMCI)
    ("bukhar 99 hai, khansi", True),        # a fever word: a reported fever counts
    ("she has a slight temperature and cough", True),  # no reading: "a temperature" is a fever
    ("fever since morning, temperature 37.2 now", True),
])
def test_a_normal_temperature_reading_is_no_fever(text, fever):
    assert ("fever" in read_text(text).present) is fever


def test_helpers():
    assert names_measurement("Temperature") and names_measurement("तापमान") and not names_measurement("bukhar")
    assert measured_afebrile("temp 98.4") and not measured_afebrile("temp 100.4")
    assert not measured_afebrile("no reading here") and not measured_afebrile("temp 1040")


def test_red_flags_still_read_the_text():
    """The normal reading changes the differential only: a young infant's danger signs still fire."""
    from engine.triage import text

    flags = text.red_flags("temperature 37 C, baby not feeding at all, very sleepy", ["poor_feeding"], 0.05, "m",
                           None)
    assert flags


@pytest.mark.parametrize(("text", "age", "level"), [
    # MoHFW AEFI 2015 / NICE NG143: the day of a vaccine at 4 months, a mild fever and a red injection spot
    ("4 महीने की बेटी को आज टीका लगा, शाम को हल्का बुखार है, दूध ठीक पी रही है", 0.33, "routine"),
    # NCDC rabies prophylaxis 2019: the vaccine given on the day of a bite does not make the bite a vaccine reaction
    ("kutte ne kaata, aaj tika laga, halka bukhar", 4, "urgent"),
    # a vaccine never hides a danger sign (WHO IMCI) or a fever under 3 months (NICE NG143 red)
    ("aaj tika laga, tez bukhar, doodh nahi pee rahi, bahut sust", 0.33, "emergency"),
    ("aaj tika laga, halka bukhar", 0.15, "emergency"),
])
def test_a_recent_vaccine_explains_only_a_mild_fever(text, age, level):
    from engine.triage import Engine

    assert Engine(use_classifier=False).triage(text, age=age).urgency == level


@pytest.mark.parametrize(("present", "age", "extra", "home"), [
    (["vomiting"], 30, {}, True),                                   # NICE CKS Gastroenteritis: an adult, home care
    (["vomiting", "diarrhoea", "nausea"], 45, {"duration_days": 2}, True),
    (["vomiting"], 30, {"duration_days": 3}, False),                # NHS: vomiting for more than 2 days, see a GP
    (["vomiting", "reduced_urination"], 30, {}, False),             # a dehydration sign (WHO 2005)
    (["vomiting", "fever"], 30, {}, False),                         # a fever: malaria, dengue, typhoid stay possible
    (["vomiting", "blood_in_vomit"], 30, {}, False),
    (["vomiting", "abdominal_pain"], 30, {}, False),
    (["vomiting"], 30, {"severity": "severe"}, False),
    (["vomiting"], 30, {"pregnant": True}, False),                  # NICE CKS Nausea/vomiting in pregnancy
    (["vomiting"], 10, {}, False),                                  # a child: WHO IMCI's dehydration chart
    (["vomiting"], 70, {}, False),                                  # older: assessed (NICE CKS)
    (["vomiting"], None, {}, False),                                # age unknown: not lowered
    (["diarrhoea"], 30, {}, False),                                 # no vomiting: the rule is about vomiting
])
def test_short_lived_vomiting_in_an_adult_is_home_care(present, age, extra, home):
    assert urgency.self_limiting_vomiting(Evidence(present=present, age=age, **extra)) is home


@pytest.mark.parametrize(("text", "age", "level"), [
    # own_wide emsc-81's kind: vomited twice after a wedding meal, better now (NHS Food poisoning)
    ("shaadi ke baad do baar ulti hui, ab theek hoon", 30, "routine"),
    ("ਰਾਤ ਨੂੰ ਦੋ ਵਾਰ ਉਲਟੀ ਆਈ, ਹੁਣ ਠੀਕ ਹਾਂ", 28, "routine"),
    # the same vomiting with blood or in a child is not home care
    ("khoon ki ulti hui", 30, "emergency"),
])
def test_short_lived_vomiting_through_the_engine(text, age, level):
    from engine.triage import Engine

    assert Engine(use_classifier=False).triage(text, age=age).urgency == level


def test_the_vomiting_rule_leaves_the_emergency_mass_and_dangers_alone():
    """Only the urgent mass is set aside: a differential whose emergency conditions hold a quarter of the mass is
    still an emergency (``EMERGENCY_MASS``)."""
    import numpy as np

    from engine.triage import Engine

    kb = Engine(use_classifier=False).kb
    probabilities = np.where(kb.emergency_mask, 0.3 / kb.emergency_mask.sum(), 0.7 / (~kb.emergency_mask).sum())
    assert urgency.from_differential(kb, probabilities, Evidence(present=["vomiting"], age=30)) == "emergency"
