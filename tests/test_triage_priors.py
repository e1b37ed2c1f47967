"""Season and region priors: they reorder the differential, never remove a condition, never change urgency."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
import yaml

from engine.triage import Engine, priors
from engine.triage.kb import default_kb

FEVER_TEXT = "2 din se bukhar, sir dard aur badan dard"
#: Mixed complaints across the seasonal and non-seasonal conditions: a prior must leave every
#: urgency as it was for each of them, whatever the month or state.
CASES = [
    (FEVER_TEXT, {"age": 30, "sex": "m"}),
    ("bukhar aur thand lag ke kaanpna, pasina", {"age": 40, "sex": "f"}),
    ("khansi, naak behna aur halka bukhar", {"age": 6, "sex": "m"}),
    ("chest pain and sweating since half an hour", {"age": 58, "sex": "m"}),
    ("dast aur ulti since morning, very weak", {"age": 25, "sex": "f"}),
    ("bahut garmi mein kaam karte hue chakkar aur sir dard", {"age": 45, "sex": "m"}),
    ("pet badh gaya, lambe samay se bukhar, vajan kam", {"age": 20, "sex": "m"}),
]
MONTHS = [None, dt.date(2026, 1, 15), dt.date(2026, 5, 20), dt.date(2026, 8, 14), dt.date(2026, 11, 2)]
STATES = [None, "BR", "Punjab", "Kerala"]


@pytest.fixture(scope="module")
def engine() -> Engine:
    """The knowledge-base scorer alone: the priors act after the ensemble, so the classifier adds nothing here."""
    return Engine(use_classifier=False)


def rank_of(result, condition_id: str) -> int:
    ids = [c.id for c in result.conditions]
    return ids.index(condition_id) if condition_id in ids else len(ids)


def probability_of(result, condition_id: str) -> float:
    return next((c.probability for c in result.conditions if c.id == condition_id), 0.0)


def test_the_priors_file_names_only_known_conditions_states_and_sources():
    raw = yaml.safe_load(priors.PRIORS_YML.read_text(encoding="utf-8"))
    parsed = priors.parse(raw, {c.id for c in default_kb().conditions})
    assert sorted(parsed.month_of_season) == list(range(1, 13))
    assert parsed.state_code("बिहार") == parsed.state_code("bihar") == "BR"
    with pytest.raises(priors.PriorsError):
        priors.parse({**raw, "conditions": {"no_such_condition": {"season": {"monsoon": 2}, "sources": ["imd_heat"]}}},
                     {c.id for c in default_kb().conditions})


def test_dengue_ranks_higher_in_august_than_in_january(engine):
    august = engine.triage(FEVER_TEXT, age=30, sex="m", when=dt.date(2026, 8, 14))
    january = engine.triage(FEVER_TEXT, age=30, sex="m", when="2026-01-15")
    assert probability_of(august, "dengue") > probability_of(january, "dengue")
    assert rank_of(august, "dengue") < rank_of(january, "dengue")
    assert august.conditions[0].id == "dengue"


def test_kala_azar_weighs_more_in_bihar_than_in_punjab(engine):
    text = "do mahine se bukhar, pet mein bhari pan, vajan kam ho gaya, kamzori"
    bihar = engine.triage(text, age=20, sex="m", state="Bihar")
    punjab = engine.triage(text, age=20, sex="m", state="PB")
    ev = engine.evidence(text, None, None, 20, "m", None, None, None)
    base = engine.probabilities(ev)
    i = engine.kb.index["kala_azar"]
    assert engine.with_priors(base, engine.evidence(text, None, None, 20, "m", None, None, None, state="BR"))[i] > base[i]
    assert engine.with_priors(base, engine.evidence(text, None, None, 20, "m", None, None, None, state="PB"))[i] < base[i]
    assert rank_of(bihar, "kala_azar") <= rank_of(punjab, "kala_azar")


def test_without_date_or_place_nothing_changes(engine):
    ev = engine.evidence(FEVER_TEXT, None, None, 30, "m", None, None, None)
    base = engine.probabilities(ev)
    assert engine.with_priors(base, ev) is base
    assert priors.factors(engine.kb, None, priors.Where()) is None


@pytest.mark.parametrize(("text", "person"), CASES)
def test_priors_never_remove_a_condition_and_never_change_urgency(engine, text, person):
    plain = engine.triage(text, **person)
    for when in MONTHS:
        for state in STATES:
            result = engine.triage(text, **person, when=when, state=state)
            assert result.urgency == plain.urgency, (when, state)
            assert result.red_flags == plain.red_flags
            ev = engine.evidence(text, None, None, person["age"], person["sex"], None, None, None, when, state)
            base = engine.probabilities(ev)
            weighted = engine.with_priors(base, ev)
            assert np.array_equal(weighted > 0, base > 0), (when, state)
            assert weighted.sum() == pytest.approx(1.0)


def test_every_factor_is_bounded():
    kb = default_kb()
    for month in range(1, 13):
        for state in (None, "BR", "KL", "PB", "WB"):
            f = priors.factors(kb, month, priors.Where(state, "Darjeeling" if state == "WB" else None))
            assert f is not None and f.min() >= priors.MIN_FACTOR and f.max() <= priors.MAX_FACTOR


def test_a_district_can_be_endemic_in_a_state_that_is_not():
    kb = default_kb()
    i = kb.index["scrub_typhus"]
    hills = priors.factors(kb, None, priors.Where("West Bengal", "darjeeling"))
    plains = priors.factors(kb, None, priors.Where("WB", "Kolkata"))
    assert hills[i] > 1 > plains[i]


def test_cli_takes_the_optional_date_and_state_and_keeps_the_contract(engine, monkeypatch):
    import engine.triage as triage_module
    from saathi.commands.triage import handle

    monkeypatch.setattr(triage_module, "_engine", engine)

    out = handle({"text": FEVER_TEXT, "age": 30, "sex": "m", "date": "2026-08-14", "state": "Bihar"})
    assert set(out) == {"language", "symptoms", "urgency", "red_flags", "conditions", "specialist", "advice",
                        "explanation"}
    assert handle({"text": FEVER_TEXT, "date": "14/08/2026"}) == {"error": "\"date\" must be an ISO date YYYY-MM-DD"}


def test_the_bot_passes_todays_ist_date_and_the_places_state():
    from actions.triage import consultation
    from config.timezone import IST
    from engine.surveillance.places import places

    place = places()[0]
    context = consultation(place)
    assert context["when"] == dt.datetime.now(IST).date()
    assert (context["state"], context["district"]) == ("PB", place.district)
    assert consultation(None) == {"when": context["when"]}
