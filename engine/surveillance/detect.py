"""Outbreak detection on weekly syndromic counts: CDC EARS C1/C2/C3 and a Farrington-flexible GLM.

One series is the weekly count of one syndrome in one area. Every method answers, for week ``t``,
"how many cases would be unusual here?" using only week ``t`` and earlier weeks (no look-ahead:
truncating the input after ``t`` cannot change the verdict on ``t``), and alerts when the observed
count is strictly above that count threshold.

**EARS** (Hutwagner et al., *J Urban Health* 2003; the R ``surveillance`` package's ``earsC``), for
short baselines:

* C1: the baseline is the 7 weeks before ``t``; C1 = (y_t - mean) / sd.
* C2: the same 7-week baseline lagged by 2 weeks (weeks t-9 … t-3), so a cluster building up over
  two weeks does not hide inside its own baseline. **The product's default.**
* C3: C2's statistic summed over the current and 2 previous weeks as sum(max(0, C2_i - 1)); it
  raises only on a week that is itself elevated (C2_t > 1), so a past cluster does not keep alerting
  through quiet weeks after it.

The alert threshold is in standard deviations: the count threshold is ``mean + threshold * sd``.
Weekly counts per block are small and a 7-week sample sd is a noisy estimate (a flat-zero baseline
has sd 0, and any single case would be "infinitely" unusual), so the sd used is
``max(sample sd, sqrt(mean), MIN_SD)``: counts are at least as variable as Poisson counts
(sd = sqrt(mean)), and ``MIN_SD`` = 1 means a flat-zero baseline needs more than ``threshold``
cases (7 at the default 6) before it alerts. MIN_SD 0.5 or 0.75 raised the false alerts by 40-100 %
on the simulated background and found no more of the injected clusters of 10 or 25.

**Farrington flexible** (Noufaily et al., *Stat Med* 2013, the improved Farrington algorithm), where
at least a year of history exists: a quasi-Poisson GLM (``statsmodels``) on up to 5 past years, with
a 10-level seasonal factor (the 7 weeks around the same week of past years, and 9 blocks for the
rest of the year), a linear trend only with 3+ years of data and when significant, the most recent
26 weeks left out of the baseline (an outbreak growing now must not raise its own expected count),
past outbreaks down-weighted by their Anscombe residuals (> 2.58), dispersion max(1, Pearson
chi2/df), and the 2/3-power upper limit of Farrington et al. (1996) at ``threshold`` standard
deviations. As in ``farringtonFlexible`` it raises only when the last 4 weeks hold 5+ cases. Weeks
with less than a year of history (or a baseline with no case at all) fall back to EARS C2, and the
alert says which method raised it.

The default stays ``ears_c2`` (what the contract's example shows): it works from the tenth week of
data, when a new district has no year of history, and at its default threshold it met the
false-alarm target on 52 weeks of simulated background; the lag keeps a two-week build-up out of
its own baseline, which C1 lacks. See ``tests/test_surveillance_detect.py`` and the README for the
measured figures of each method.
"""

from __future__ import annotations

import math
import warnings
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from engine.surveillance.weeks import format_week

METHODS = ("ears_c1", "ears_c2", "ears_c3", "farrington")
DEFAULT_METHOD = "ears_c2"
#: Threshold in standard deviations per method. EARS' textbook values (3 for C1/C2, 2 for C3) gave
#: 8-22 false alerts per block per year over the 12 syndromes of a simulated seasonal, overdispersed
#: background (``engine/surveillance/simulate.py``); these meet the target of at most 1 (README figures).
DEFAULT_THRESHOLDS = {"ears_c1": 6.0, "ears_c2": 6.0, "ears_c3": 8.0, "farrington": 4.0}
#: The smallest standard deviation EARS uses: a flat-zero baseline alerts only above threshold * 1 cases.
MIN_SD = 1.0
BASELINE = 7       # EARS baseline length (weeks)
LAG = {"ears_c1": 0, "ears_c2": 2, "ears_c3": 2}
C3_WEEKS = 3       # C3 sums C2 over the current and 2 previous weeks
# Farrington flexible (Noufaily et al. 2013 defaults, weekly data)
YEAR = 52
YEARS_BACK = 5
WINDOW = 3                 # half-width of the same-season window (weeks)
PERIODS = 10               # seasonal factor levels: the window + 9 blocks for the rest of the year
WEEKS_NOT_INCLUDED = 26    # the most recent weeks left out of the baseline
TREND_YEARS = 3            # a trend is fitted only with this much data
TREND_P = 0.05
REWEIGHT_ABOVE = 2.58      # Anscombe residual above which a past week counts as an outbreak
LIMIT_CASES, LIMIT_WEEKS = 5, 4  # no alarm unless the last 4 weeks hold at least 5 cases
MIN_HISTORY = YEAR + WINDOW      # weeks before t needed for last year's same-season window


@dataclass(frozen=True)
class Check:
    """The verdict on one week of one series: the expected count, the count above which it alerts,
    and the method that decided (``None`` fields: too little history to judge)."""

    observed: int
    expected: float | None
    threshold: float | None
    method: str | None

    @property
    def alert(self) -> bool:
        return self.threshold is not None and self.observed > self.threshold


@dataclass(frozen=True)
class Alert:
    """An alert as the contract writes it; ``week`` is the engine's week number."""

    week: int
    area: str
    syndrome: str
    observed: int
    expected: float
    threshold: float
    method: str

    def to_contract(self) -> dict[str, object]:
        return {"week": format_week(self.week), "area": self.area, "syndrome": self.syndrome,
                "observed": self.observed, "expected": round(self.expected, 2),
                # rounded down, so the printed threshold is below the observed count as the real one is
                "threshold": math.floor(self.threshold * 100) / 100, "method": self.method}


def default_threshold(method: str) -> float:
    return DEFAULT_THRESHOLDS[method]


def check_method(method: str) -> str:
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r} (one of {', '.join(METHODS)})")
    return method


# ---------------------------------------------------------------- EARS

def _baseline(y: np.ndarray, lag: int) -> tuple[np.ndarray, np.ndarray, int]:
    """Mean and floored sd of the EARS baseline for every week that has one, and the first such index."""
    first = BASELINE + lag
    if len(y) <= first:
        return np.empty(0), np.empty(0), first
    windows = sliding_window_view(y[: len(y) - lag - 1], BASELINE)  # windows[i] = y[i : i+7]
    mean = windows.mean(axis=1)
    sd = windows.std(axis=1, ddof=1)
    return mean, np.maximum.reduce([sd, np.sqrt(mean), np.full_like(mean, MIN_SD)]), first


def ears(y: np.ndarray, method: str, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """Expected counts and count thresholds for every week of ``y`` (NaN before the first baseline)."""
    y = np.asarray(y, dtype=float)
    expected = np.full(len(y), np.nan)
    limit = np.full(len(y), np.nan)
    mean, sd, first = _baseline(y, LAG[method])
    if not len(mean):
        return expected, limit
    expected[first:] = mean
    if method != "ears_c3":
        limit[first:] = mean + threshold * sd
        return expected, limit
    stat = (y[first:] - mean) / sd
    excess = np.maximum(0.0, stat - 1.0)
    previous = np.zeros_like(excess)
    for back in range(1, C3_WEEKS):
        previous[back:] += excess[:-back]
    limit[first:] = mean + sd * (1.0 + np.maximum(0.0, threshold - previous))
    return expected, limit


# ---------------------------------------------------------------- Farrington flexible

def _season(offsets: np.ndarray) -> np.ndarray:
    """The seasonal factor level of reference weeks ``offsets`` weeks before ``t``: 0 for the window
    around the same week of a past year, 1-9 for the blocks of the rest of the year."""
    within = offsets % YEAR
    rest = YEAR - 2 * WINDOW - 1
    level = 1 + (within - WINDOW - 1) * (PERIODS - 1) // rest
    near = np.minimum(within, YEAR - within) <= WINDOW
    return np.where(near, 0, level)


def _design(offsets: np.ndarray, levels: np.ndarray, trend: bool) -> np.ndarray:
    """Intercept, seasonal dummies for the levels present (0 is the reference), and ``-offset`` as trend."""
    present = [lv for lv in np.unique(levels) if lv != 0]
    columns = [np.ones(len(offsets))] + [(levels == lv).astype(float) for lv in present]
    if trend:
        columns.append(-offsets.astype(float))
    return np.column_stack(columns)


def _fit(y: np.ndarray, x: np.ndarray, weights: np.ndarray | None = None):
    import statsmodels.api as sm

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return sm.GLM(y, x, family=sm.families.Poisson(), var_weights=weights).fit(scale="X2")


def _anscombe(y: np.ndarray, mu: np.ndarray, x: np.ndarray, phi: float) -> np.ndarray:
    """Standardised Anscombe residuals of a Poisson fit (Farrington 1996, eq. for s_i)."""
    xtwx = x.T @ (x * mu[:, None])
    hat = mu * np.einsum("ij,jk,ik->i", x, np.linalg.pinv(xtwx), x)
    raw = 1.5 * (np.power(y, 2 / 3) - np.power(mu, 2 / 3)) / np.power(mu, 1 / 6)
    return raw / np.sqrt(phi * np.clip(1.0 - hat, 1e-6, None))


def farrington_week(y: np.ndarray, t: int, threshold: float) -> tuple[float, float] | None:
    """Expected count and upper limit for week ``t`` from ``y[:t]`` (None: cannot fit)."""
    start = max(0, t - YEAR * YEARS_BACK - WINDOW)
    stop = t - WEEKS_NOT_INCLUDED + 1
    ref = y[start:stop].astype(float)
    if ref.sum() <= 0:
        return None
    offsets = t - np.arange(start, stop)
    levels = _season(offsets)
    if ref[levels == 0].sum() <= 0:  # no case ever in the season's window: the factor would be -inf
        levels = np.zeros_like(levels)
    trend = (stop - start) >= YEAR * TREND_YEARS
    x = _design(offsets, levels, trend)
    try:
        fit = _fit(ref, x)
        if trend and (fit.pvalues[-1] > TREND_P or math.exp(fit.params @ _row(x.shape[1])) > ref.max()):
            trend = False
            x = _design(offsets, levels, trend)
            fit = _fit(ref, x)
        phi = max(1.0, float(fit.scale))
        resid = _anscombe(ref, fit.mu, x, phi)
        weights = np.where(resid > REWEIGHT_ABOVE, 1.0 / np.maximum(resid, 1e-9) ** 2, 1.0)
        weights *= len(weights) / weights.sum()
        fit = _fit(ref, x, weights)
        phi = max(1.0, float(fit.scale))
        x0 = _row(x.shape[1])
        eta = float(x0 @ fit.params)
        var_eta = float(x0 @ (fit.normalized_cov_params * phi) @ x0)
    except (ValueError, np.linalg.LinAlgError, OverflowError):
        return None
    mu0 = math.exp(eta)
    if not math.isfinite(mu0) or not math.isfinite(var_eta):
        return None
    tau = phi * mu0 + mu0 * mu0 * var_eta
    upper = mu0 * (1.0 + (2.0 / 3.0) * threshold * math.sqrt(tau) / mu0) ** 1.5 if mu0 > 0 else 0.0
    return mu0, upper


def _row(width: int) -> np.ndarray:
    """The design row of week ``t`` itself: seasonal level 0 (all dummies 0), trend offset 0."""
    row = np.zeros(width)
    row[0] = 1.0
    return row


# ---------------------------------------------------------------- one series, many series

def evaluate(y: Iterable[int], method: str = DEFAULT_METHOD, threshold: float | None = None,
             every_week: bool = False) -> list[Check]:
    """The verdict on every week of one gap-free weekly series (oldest first).

    For ``farrington`` the GLM is fitted only where it could matter (a nonzero count with 5+ cases
    in the last 4 weeks) unless ``every_week`` (charts want the expected count of every week)."""
    method = check_method(method)
    k = default_threshold(method) if threshold is None else float(threshold)
    counts = np.asarray(list(y), dtype=float)
    if method == "farrington":
        c2_expected, c2_limit = ears(counts, "ears_c2", k)
    else:
        expected, limit = ears(counts, method, k)
    checks: list[Check] = []
    for t, observed in enumerate(counts.astype(int).tolist()):
        if method == "farrington" and t >= MIN_HISTORY:
            recent = counts[max(0, t - LIMIT_WEEKS + 1): t + 1].sum()
            worth = observed > 0 and recent >= LIMIT_CASES
            fitted = farrington_week(counts, t, k) if (worth or every_week) else None
            if fitted is not None:
                mu0, upper = fitted
                if not worth:  # shown for the chart, but the 5-in-4-weeks rule forbids an alarm
                    upper = max(upper, float(observed))
                checks.append(Check(observed, mu0, upper, "farrington"))
                continue
            if not worth:
                checks.append(Check(observed, None, None, None))
                continue
        if method == "farrington":
            e, lim, name = c2_expected[t], c2_limit[t], "ears_c2"
        else:
            e, lim, name = expected[t], limit[t], method
        checks.append(Check(observed, None, None, None) if math.isnan(e)
                      else Check(observed, float(e), float(lim), name))
    return checks


def fill(counts: Iterable[tuple[int, str, str, int]]) -> tuple[int, dict[tuple[str, str], np.ndarray]]:
    """Counts as gap-free series per (area, syndrome), from the first to the last week of the whole
    input (a missing week counts 0; repeated rows of one cell add up). Returns the first week and the
    series."""
    cells: dict[tuple[str, str], dict[int, int]] = defaultdict(lambda: defaultdict(int))
    first = last = None
    for week, area, syndrome, count in counts:
        cells[(area, syndrome)][week] += count
        first = week if first is None else min(first, week)
        last = week if last is None else max(last, week)
    if first is None:
        return 0, {}
    series: dict[tuple[str, str], np.ndarray] = {}
    for key, by_week in cells.items():
        y = np.zeros(last - first + 1, dtype=np.int64)
        for week, count in by_week.items():
            y[week - first] = count
        series[key] = y
    return first, series


def detect(counts: Iterable[tuple[int, str, str, int]], method: str = DEFAULT_METHOD,
           threshold: float | None = None) -> list[Alert]:
    """Every alert in the counts ``(week, area, syndrome, count)``, in week order (then area,
    syndrome). This is ``saathi surveillance detect``, the portal and the officers' alerts alike."""
    first, series = fill(counts)
    alerts = []
    for (area, syndrome), y in series.items():
        for t, check in enumerate(evaluate(y, method, threshold)):
            if check.alert:
                alerts.append(Alert(first + t, area, syndrome, check.observed, float(check.expected),
                                    float(check.threshold), str(check.method)))
    alerts.sort(key=lambda a: (a.week, a.area, a.syndrome))
    return alerts
