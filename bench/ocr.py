"""Seconds per phone photo through ``read_document`` next to one plain Tesseract pass on the same photo.

Target (issue #17): p95 of the pipeline's time per photo <= 2x one raw ``tesseract photo - -l eng+hin+pan``
pass on the same photo; also p95 < 3 s for a 1600-pixel photo on 2 idle cores. Photos are synthetic
(``--set generator``: one per document type in turn, seeds ``bench-*``, disjoint from training and
evaluation) or the independent set's committed photos (``--set outside``; timing only, nothing is
tuned on them). They are read one after another in this process exactly as the bot's job does, with
``OMP_THREAD_LIMIT=1``; the raw pass runs as a subprocess on the same file. Peak memory is reported for
this process and, separately, for one raw Tesseract run, measured by /usr/bin/time.

Run: ``.venv/bin/python bench/ocr.py [--set generator|outside] [--photos N]``.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

RAW_LANGS = "eng+hin+pan"


def _cpu() -> float:
    """CPU seconds of this process and its finished children (Tesseract): unlike wall time, not inflated
    when other work shares the cores, and not lowered by running two readings at once."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _raw_pass(path: Path) -> tuple[float, float]:
    """Seconds and peak MB of one plain ``tesseract photo - -l eng+hin+pan``."""
    timer = ["/usr/bin/time", "-f", "%M"] if Path("/usr/bin/time").exists() else []
    start = time.perf_counter()
    proc = subprocess.run([*timer, "tesseract", str(path), "-", "-l", RAW_LANGS], capture_output=True, text=True,
                          check=False, env={**os.environ, "OMP_THREAD_LIMIT": "1"})
    seconds = time.perf_counter() - start
    peak = int(proc.stderr.strip().splitlines()[-1]) / 1024 if timer else float("nan")
    return seconds, peak


def _photos(which: str, count: int, long_side: int, tmp: Path) -> list[Path]:
    if which == "outside":
        from engine.ocr import outside

        return [d.photo for d in outside.load()][:count]
    from engine.ocr import synth

    paths = []
    for i in range(count):
        doc_type = synth.DOC_TYPES[i % len(synth.DOC_TYPES)]
        path = tmp / f"bench-{i}.jpg"
        path.write_bytes(synth.generate(f"bench-{doc_type}-{i}", doc_type).photo(long_side=long_side))
        paths.append(path)
    return paths


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=("generator", "outside"), default="generator")
    parser.add_argument("--photos", type=int, default=20)
    parser.add_argument("--long-side", type=int, default=1600)
    args = parser.parse_args()
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")

    from engine.ocr import classifier, read_document, reading

    classifier.model()  # trained/loaded outside the timed loop
    reading.vocabulary()
    with tempfile.TemporaryDirectory() as tmp:
        photos = _photos(args.set, args.photos, args.long_side, Path(tmp))
        read_document(photos[0], name="warm-up")
        ours, raw, ratios, raw_peak, cpu_ours, cpu_raw = [], [], [], 0.0, [], []
        for path in photos:
            start, cpu = time.perf_counter(), _cpu()
            read_document(path, name=path.name)
            ours.append(time.perf_counter() - start)
            cpu_ours.append(_cpu() - cpu)
            cpu = _cpu()
            seconds, peak = _raw_pass(path)
            cpu_raw.append(_cpu() - cpu)
            raw.append(seconds)
            raw_peak = max(raw_peak, peak)
            ratios.append(ours[-1] / seconds)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    load = os.getloadavg()[0]
    print(f"photos: {len(ours)} ({args.set}), {os.cpu_count()} cores, load average {load:.1f}")
    print(f"pipeline seconds per photo:          p50 {statistics.median(ours):.2f}  p95 {_p95(ours):.2f}  "
          f"max {max(ours):.2f}")
    print(f"raw tesseract -l {RAW_LANGS} pass:   p50 {statistics.median(raw):.2f}  p95 {_p95(raw):.2f}  "
          f"max {max(raw):.2f}")
    print(f"pipeline / raw pass, same photo:     p50 {statistics.median(ratios):.2f}  p95 {_p95(ratios):.2f}  "
          f"max {max(ratios):.2f}")
    print(f"p95 pipeline / p95 raw:              {_p95(ours) / _p95(raw):.2f}  (target <= 2)")
    print(f"CPU seconds per photo: pipeline p50 {statistics.median(cpu_ours):.2f} p95 {_p95(cpu_ours):.2f}, raw pass "
          f"p50 {statistics.median(cpu_raw):.2f} p95 {_p95(cpu_raw):.2f}; ratio p50 "
          f"{statistics.median(a / b for a, b in zip(cpu_ours, cpu_raw, strict=True)):.2f} (wall time is the target; CPU "
          f"time tells the work when the cores are shared)")
    print(f"peak memory: python process {own:.0f} MB, one raw tesseract run {raw_peak:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
