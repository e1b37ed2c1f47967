"""Accuracy gate: no change may catch fewer emergencies than today on any evaluation set.

Floors live in one data file (``tests/data/triage_floors.json``), measured with
``saathi triage-eval --summary``. The own set and the outside sets (written apart from the rules and
never read by whoever changes them) are gated alike: emergencies caught (and, on the readings set,
its ASHA ``VISIT`` lines and implausible values asked back) may not fall, self-care cases called
urgent or emergency may not rise. Failure messages carry counts only, never case texts or ids, so
the gate can be read by anyone without opening the outside sets.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.triage.evaluate import SETS, evaluate_sets

FLOORS_PATH = Path(__file__).resolve().parent / "data" / "triage_floors.json"
FLOORS: dict[str, dict] = json.loads(FLOORS_PATH.read_text(encoding="utf-8"))["sets"]


@pytest.fixture(scope="module")
def reports():
    from engine.triage import default_engine

    return evaluate_sets(default_engine(), {name: SETS[name] for name in FLOORS})


def test_every_set_has_a_floor():
    assert set(FLOORS) == set(SETS)


@pytest.mark.triage_eval
@pytest.mark.parametrize("name", sorted(FLOORS))
def test_emergency_recall_does_not_fall(reports, name):
    floor = FLOORS[name]
    summary = reports[name].summary()
    emergencies, caught = int(summary["emergencies"]), int(summary["emergencies_caught"])
    assert emergencies == floor["emergencies"], f"{name}: the set changed size; measure and update the floor"
    assert caught >= floor["emergencies_caught"], (
        f"{name}: {caught}/{emergencies} emergencies caught, the floor is {floor['emergencies_caught']}")


@pytest.mark.triage_eval
@pytest.mark.parametrize("name", sorted(n for n in FLOORS if "self_care_cases" in FLOORS[n]))
def test_self_care_over_triage_does_not_rise(reports, name):
    floor = FLOORS[name]
    summary = reports[name].summary()
    cases, over = int(summary["self_care_cases"]), int(summary["self_care_over_triaged"])
    assert cases == floor["self_care_cases"], f"{name}: the set changed size; measure and update the ceiling"
    assert over <= floor["self_care_over_triaged_max"], (
        f"{name}: {over}/{cases} self-care cases called urgent or emergency, at most "
        f"{floor['self_care_over_triaged_max']} allowed")


@pytest.mark.triage_eval
def test_asha_visit_lines_implausible_values_and_readings_read(reports):
    floor = FLOORS["outside_vitals"]
    summary = reports["outside_vitals"].summary()
    commands = summary["asha_commands"]
    emergencies, caught = int(commands["emergencies"]), int(commands["emergencies_caught"])
    assert emergencies == floor["asha_commands"]["emergencies"]
    assert caught >= floor["asha_commands"]["emergencies_caught"], (
        f"ASHA VISIT lines: {caught}/{emergencies} emergencies caught, the floor is "
        f"{floor['asha_commands']['emergencies_caught']}")
    asked = summary["implausible_asked_back"]
    items, passed = int(asked["items"]), int(asked["passed"])
    assert items == floor["implausible_asked_back"]["items"]
    assert passed >= floor["implausible_asked_back"]["passed"], f"implausible values asked back: {passed}/{items}"
    read = summary["readings_read"]
    items, passed = int(read["items"]), int(read["passed"])
    assert items == floor["readings_read"]["items"]
    assert passed >= floor["readings_read"]["passed"], f"gold readings read: {passed}/{items}"


def test_scoring_of_readings_visit_lines_and_implausible_values():
    """The scorers the gate relies on, on our own items (the sets' cases are not read here)."""
    from engine.triage import Engine
    from engine.triage.evaluate import evaluate_commands, evaluate_implausible, readings_match

    assert readings_match({"temp_f": 103, "pulse": 128, "spo2": 89}, "T 103 P 128 SPO2 89")
    assert readings_match({"bp": "160/110", "temp_c": 39.5}, "बीपी १६०/११० ताप 39.5")
    assert readings_match({"glucose_mmol_l": 2.5}, "sugar 2.5 mmol/L")
    assert not readings_match({"bp": "160/110"}, "BP 150/110")
    assert not readings_match({"resp_rate": 66}, "bukhar hai")
    engine = Engine(use_classifier=False)
    report = evaluate_commands(engine, [
        {"id": "a", "command": "VISIT KD472 T 103 P 128 SPO2 89", "patient": {"age": 25, "sex": "f"},
         "gold_urgency": "emergency"},
        {"id": "b", "command": "ਦੌਰਾ KD472 ਸਾਹ ੬੪", "patient": {"age_months": 1, "sex": "m"},
         "gold_urgency": "emergency"},
        {"id": "c", "command": "VISIT KD472", "patient": {"age": 25, "sex": "f"}, "gold_urgency": "emergency"},
    ])
    summary = report.summary()
    assert (summary["emergencies"], summary["emergencies_caught"]) == (3, 2)
    assert summary["missed_emergencies"] == ["c"]  # no symptoms: not a VISIT, counted as routine
    checks = evaluate_implausible([{"id": "x", "text": "temp 1040"}, {"id": "y", "text": "temp 103"}])
    assert (checks.n, checks.passed, checks.failed) == (2, 1, ["y"])
