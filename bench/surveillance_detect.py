"""False alerts and detection of each outbreak-detection method on simulated background.

    .venv/bin/python bench/surveillance_detect.py [--blocks 40] [--seeds 3] [--methods ears_c2,...]

For each method (at its default threshold unless ``--threshold``): false alerts per block per year
(all 12 syndromes of a block, the last 52 weeks of background with no injection; "clusters" counts a
run of consecutive alert weeks in one series once, as an officer is alerted) and the share of
injected fever-with-rash clusters of 5, 10 and 25 extra cases in one block-week that alert in that
week. EARS is judged on 62 weeks (10 of warm-up); Farrington on 3 years + 10 weeks (the last 52
judged), since it needs a year of history (``--blocks`` is divided by 4 for it: it fits a GLM per
week and series).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.surveillance.detect import METHODS, default_threshold, evaluate  # noqa: E402
from engine.surveillance.simulate import Area, background  # noqa: E402
from engine.surveillance.weeks import parse_week  # noqa: E402

POPULATIONS = (60_000, 100_000, 150_000, 250_000)
SIZES = (5, 10, 25)


def run(method: str, threshold: float, blocks: int, seeds: int) -> dict[str, float]:
    weeks = 166 if method == "farrington" else 62
    judged_from = weeks - 52
    alerts = clusters = injected = 0
    found = dict.fromkeys(SIZES, 0)
    areas = [Area(f"B{i:03d}", POPULATIONS[i % len(POPULATIONS)]) for i in range(blocks)]
    for seed in range(seeds):
        series: dict[tuple[str, str], list[int]] = {}
        for _, area, syndrome, count in background(areas, parse_week("2023-W01"), weeks, seed):
            series.setdefault((area, syndrome), []).append(count)
        rng = np.random.default_rng(1000 + seed)
        for (_, syndrome), counts in series.items():
            y = np.array(counts)
            flags = np.array([c.alert for c in evaluate(y, method, threshold)])[judged_from:]
            alerts += int(flags.sum())
            clusters += int((flags & ~np.r_[False, flags[:-1]]).sum())
            if syndrome == "fever_rash":
                week = int(rng.integers(judged_from, weeks))
                injected += 1
                for size in SIZES:
                    z = y.copy()
                    z[week] += size
                    found[size] += evaluate(z, method, threshold)[week].alert
    block_years = blocks * seeds
    return {"false_alerts_per_block_year": alerts / block_years,
            "false_clusters_per_block_year": clusters / block_years,
            **{f"detected_plus_{size}": found[size] / injected for size in SIZES}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--blocks", type=int, default=40)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--threshold", type=float, default=None)
    args = parser.parse_args()
    for method in args.methods.split(","):
        threshold = default_threshold(method) if args.threshold is None else args.threshold
        blocks = max(4, args.blocks // 4) if method == "farrington" else args.blocks
        started = time.perf_counter()
        figures = run(method, threshold, blocks, args.seeds)
        print(f"{method:<11} threshold {threshold:<4} blocks {blocks:>3} x {args.seeds} years: "
              f"false alerts/block-year {figures['false_alerts_per_block_year']:.2f} "
              f"(clusters {figures['false_clusters_per_block_year']:.2f}); fever_rash cluster found in its week: "
              + ", ".join(f"+{s} {figures[f'detected_plus_{s}']:.0%}" for s in SIZES)
              + f"  [{time.perf_counter() - started:.0f} s]", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
