"""Outbreak detection (engine/surveillance/detect.py) and ``saathi surveillance detect``.

The EARS arithmetic is checked by hand on small series; the targets of issue 22 on a seeded,
simulated year of seasonal, overdispersed background (engine/surveillance/simulate.py):
an injected cluster of 25 fever-with-rash cases alerts in its week, and the default threshold
gives at most 1 false alert per block per year over all 12 syndromes.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys

import numpy as np
import pytest
from conftest import ROOT

from engine.surveillance.detect import DEFAULT_METHOD, METHODS, MIN_SD, detect, evaluate
from engine.surveillance.simulate import Area, background
from engine.surveillance.weeks import format_week, parse_week

START = parse_week("2025-W01")
BLOCKS = [Area(f"BLK-{i:04d}", pop) for i, pop in enumerate([60_000, 100_000, 150_000, 250_000] * 5)]


def year_of_background(seed: int, weeks: int = 62, areas: list[Area] = BLOCKS) -> list[tuple[int, str, str, int]]:
    """10 weeks of warm-up (the first EARS C2 baseline) and then 52 weeks that are judged."""
    return list(background(areas, START, weeks, seed))


# ---------------------------------------------------------------- EARS by hand

def test_c1_uses_the_seven_weeks_before():
    y = [2, 4, 2, 4, 2, 4, 2, 30]
    check = evaluate(y, "ears_c1", 3.0)[7]
    base = y[:7]
    sd = max(statistics.stdev(base), statistics.mean(base) ** 0.5, MIN_SD)
    assert check.expected == pytest.approx(statistics.mean(base))
    assert check.threshold == pytest.approx(statistics.mean(base) + 3 * sd)
    assert check.alert and check.method == "ears_c1"
    assert all(c.expected is None for c in evaluate(y, "ears_c1", 3.0)[:7])


def test_c2_lags_its_baseline_by_two_weeks():
    # weeks 0-6 are the baseline of week 9; weeks 7 and 8 (already rising) are not in it
    y = [5, 5, 5, 5, 5, 5, 5, 40, 40, 40]
    check = evaluate(y, "ears_c2", 3.0)[9]
    assert check.expected == pytest.approx(5.0)
    assert check.threshold == pytest.approx(5 + 3 * 5 ** 0.5)  # sample sd 0: the Poisson floor
    assert check.alert
    c1 = evaluate(y, "ears_c1", 3.0)[9]  # C1's baseline holds the rise: it misses the third week
    assert not c1.alert


def test_c3_sums_the_last_three_c2_statistics():
    y = [4] * 9 + [7, 7, 7]
    sd = 2.0  # mean 4, sample sd 0 -> sqrt(4)
    c2 = (7 - 4) / sd  # 1.5 each week
    checks = evaluate(y, "ears_c3", 1.2)
    # C3 on week 11 = 3 * (1.5 - 1) = 1.5 > 1.2; on week 10 = 1.0; on week 9 = 0.5
    assert [c.alert for c in checks[9:]] == [False, False, True]
    assert checks[11].threshold == pytest.approx(4 + sd * (1 + 1.2 - 2 * (c2 - 1)))


def test_a_flat_zero_baseline_does_not_alert_on_one_case():
    zeros = [0] * 12
    for method in ("ears_c1", "ears_c2", "ears_c3"):
        assert not evaluate(zeros + [1], method)[-1].alert
    default = evaluate(zeros + [1], DEFAULT_METHOD)[-1]
    assert default.threshold == pytest.approx(6 * MIN_SD)
    assert not evaluate(zeros + [6], DEFAULT_METHOD)[-1].alert
    assert evaluate(zeros + [7], DEFAULT_METHOD)[-1].alert


def test_threshold_tunes_it():
    y = [3, 2, 4, 3, 2, 3, 4, 3, 3, 12]
    assert evaluate(y, "ears_c2", 3.0)[-1].alert
    assert not evaluate(y, "ears_c2", 6.0)[-1].alert


# ---------------------------------------------------------------- input handling

def test_missing_weeks_count_zero_and_order_does_not_matter():
    rows = [(w, a, s, c) for w, a, s, c in year_of_background(3, areas=BLOCKS[:3])]
    rows[100] = (rows[100][0], rows[100][1], "fever_rash", rows[100][3] + 30)
    with_zeros = detect(rows)
    sparse = [r for r in rows if r[3] > 0]
    random.Random(5).shuffle(sparse)
    assert detect(sparse) == with_zeros
    assert with_zeros  # the injected cell at least


def test_repeated_rows_of_one_cell_add_up():
    rows = [(START + i, "A", "dog_bite", 1) for i in range(12)]
    assert detect(rows + [(START + 12, "A", "dog_bite", 12)]) == detect(
        rows + [(START + 12, "A", "dog_bite", 5), (START + 12, "A", "dog_bite", 7)])


@pytest.mark.parametrize("method", METHODS)
def test_no_look_ahead(method):
    """Cutting the input after week W never changes an alert for week W or before."""
    slow = method == "farrington"
    areas = BLOCKS[:2] if slow else BLOCKS[:4]
    weeks = 130 if slow else 62
    rows = list(background(areas, START, weeks, 11, ("fever_lt7", "fever_rash", "jaundice") if slow else None))
    rows = [(w, a, s, c + (12 if (w - START) % 17 == 16 and s in ("fever_rash", "jaundice") else 0))
            for w, a, s, c in rows]
    full = detect(rows, method, 3.0)
    assert full
    cuts = range(START + 70, START + weeks, 15) if slow else range(START + 9, START + weeks, 7)
    for cut in cuts:
        truncated = detect([r for r in rows if r[0] <= cut], method, 3.0)
        assert truncated == [a for a in full if a.week <= cut], format_week(cut)


# ---------------------------------------------------------------- the targets of issue 22

@pytest.mark.parametrize("seed", [1, 2, 3])
def test_an_injected_cluster_alerts_in_its_week(seed):
    """25 extra fever-with-rash cases in one block within one week, over a year of background."""
    rows = year_of_background(seed)
    rng = np.random.default_rng(seed)
    for block in rng.choice(len(BLOCKS), size=5, replace=False):
        area = BLOCKS[int(block)].id
        week = START + int(rng.integers(10, 62))
        injected = [(w, a, s, c + 25 if (w, a, s) == (week, area, "fever_rash") else c) for w, a, s, c in rows]
        alerts = detect(injected)
        assert any((a.week, a.area, a.syndrome) == (week, area, "fever_rash") for a in alerts), (
            format_week(week), area)


def test_false_alerts_at_most_one_per_block_per_year():
    """52 judged weeks of background, 20 blocks, 3 seeds, all 12 syndromes, default method/threshold."""
    per_block_year = []
    for seed in (21, 22, 23):
        alerts = [a for a in detect(year_of_background(seed)) if a.week >= START + 10]
        per_block_year.append(len(alerts) / len(BLOCKS))
    assert statistics.mean(per_block_year) <= 1.0, per_block_year


def test_farrington_uses_a_year_of_history_and_finds_the_cluster():
    areas = BLOCKS[:2]
    rows = list(background(areas, START, 120, 4, ("fever_lt7", "fever_rash")))
    target = START + 110
    rows = [(w, a, s, c + 25 if (w, a, s) == (target, areas[0].id, "fever_rash") else c) for w, a, s, c in rows]
    alerts = detect(rows, "farrington")
    hit = [a for a in alerts if (a.week, a.area, a.syndrome) == (target, areas[0].id, "fever_rash")]
    assert hit and hit[0].method == "farrington"
    assert all(a.method == "ears_c2" for a in alerts if a.week < START + 55)


# ---------------------------------------------------------------- the command (contract)

def run_cli(lines: list[str], *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("SAATHI_SURVEILLANCE_THRESHOLD", None)
    env.pop("SAATHI_SURVEILLANCE_METHOD", None)
    return subprocess.run([sys.executable, "-m", "saathi.cli", "surveillance", "detect", *args],
                          input="\n".join(lines) + "\n", capture_output=True, text=True, cwd=ROOT, env=env,
                          timeout=300)


def test_cli_contract():
    rows = [{"week": format_week(START + i), "area": "BLK-0007", "syndrome": "fever_rash", "count": i % 2}
            for i in range(14)]
    rows.append({"week": format_week(START + 14), "area": "BLK-0007", "syndrome": "fever_rash", "count": 25})
    rows.append({"week": format_week(START + 13), "area": "BLK-0009", "syndrome": "dog_bite", "count": 20})
    lines = [json.dumps(r) for r in reversed(rows)]
    lines[3:3] = ["{not json", json.dumps({"week": "2025-W60", "area": "X", "syndrome": "afp", "count": 1}),
                  json.dumps({"week": "2025-W10", "area": "X", "syndrome": "flu", "count": 1}),
                  json.dumps({"week": "2025-W10", "area": "X", "syndrome": "afp", "count": -2}), "[1, 2]"]
    done = run_cli(lines)
    assert done.returncode == 0, done.stderr
    out = [json.loads(line) for line in done.stdout.splitlines()]
    errors = [o for o in out if "error" in o]
    alerts = [o for o in out if "error" not in o]
    assert len(errors) == 5 and all(o["error"].startswith("line ") for o in errors)
    # the dog bites have no history before them (missing weeks are 0 from the first week seen)
    assert [(a["week"], a["area"]) for a in alerts] == [
        (format_week(START + 13), "BLK-0009"), (format_week(START + 14), "BLK-0007")]
    alert = alerts[1]
    assert set(alert) == {"week", "area", "syndrome", "observed", "expected", "threshold", "method"}
    assert alert["observed"] == 25 and alert["method"] == "ears_c2"
    assert alert["expected"] == pytest.approx(4 / 7, abs=0.01)  # weeks 5-11 of 0,1,0,1...
    assert alert["observed"] > alert["threshold"] > alert["expected"]


def test_cli_method_and_threshold_and_empty_input():
    rows = [{"week": format_week(START + i), "area": "A", "syndrome": "jaundice", "count": 3 if i < 12 else 9}
            for i in range(13)]
    lines = [json.dumps(r) for r in rows]
    assert run_cli(lines).stdout == ""  # 9 against 3 is under the default 6 sd
    out = [json.loads(x) for x in run_cli(lines, "--threshold", "2").stdout.splitlines()]
    assert [(a["week"], a["method"]) for a in out] == [(format_week(START + 12), "ears_c2")]
    out = [json.loads(x) for x in run_cli(lines, "--method", "ears_c1", "--threshold", "2").stdout.splitlines()]
    assert out[0]["method"] == "ears_c1"
    empty = run_cli([])
    assert empty.returncode == 0 and empty.stdout == ""
