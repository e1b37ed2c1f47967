"""Seconds per phone photo through ``read_document`` (p50/p95) and peak memory.

Target: p95 < 3 s for a 1600-pixel photo on 2 cores. Photos are synthetic (one per document type in
turn, seeds ``bench-*``, disjoint from training and evaluation), read one after another in this
process exactly as the bot's job does. Peak memory is reported for this process and, separately, for
one Tesseract run on a prepared page, measured by /usr/bin/time (a child forked from this process would
also count the Python pages it inherited before exec). Run: ``.venv/bin/python bench/ocr.py [--photos N]``.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _tesseract_peak_mb(photo: bytes) -> float:
    import subprocess
    import tempfile

    import cv2

    from engine.ocr import preprocess, tesseract

    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "page.png"
        cv2.imwrite(str(page), preprocess.prepare(photo).gray)
        if not Path("/usr/bin/time").exists():
            return float("nan")
        proc = subprocess.run(["/usr/bin/time", "-f", "%M", "tesseract", str(page), "-", "-l", tesseract.LANGS,
                               "--oem", "1", "--psm", str(tesseract.PSM)], capture_output=True, text=True, check=False)
    return int(proc.stderr.strip().splitlines()[-1]) / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=20)
    parser.add_argument("--long-side", type=int, default=1600)
    args = parser.parse_args()
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")

    from engine.ocr import classifier, read_document, synth

    classifier.model()  # trained/loaded outside the timed loop
    photos = []
    for i in range(args.photos):
        doc_type = synth.DOC_TYPES[i % len(synth.DOC_TYPES)]
        doc = synth.generate(f"bench-{doc_type}-{i}", doc_type)
        photos.append(doc.photo(long_side=args.long_side))
    read_document(photos[0], name="warm-up")
    seconds = []
    for i, photo in enumerate(photos):
        start = time.perf_counter()
        read_document(photo, name=f"bench-{i}")
        seconds.append(time.perf_counter() - start)
    seconds.sort()
    p95 = seconds[min(len(seconds) - 1, int(round(0.95 * (len(seconds) - 1))))]
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child = _tesseract_peak_mb(photos[0])
    load = os.getloadavg()[0]
    print(f"photos: {len(seconds)} at {args.long_side} px long side, {os.cpu_count()} cores, load average {load:.1f}")
    print(f"seconds per photo: p50 {statistics.median(seconds):.2f}  p95 {p95:.2f}  max {seconds[-1]:.2f}")
    print(f"peak memory: python process {own:.0f} MB, one tesseract run {child:.0f} MB")
    print(f"target p95 < 3 s: {'met' if p95 < 3 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
