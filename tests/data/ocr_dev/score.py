"""Score the development set exactly as the independent set is scored (engine.ocr.outside), misses shown.

    PYTHONPATH=. .venv/bin/python tests/data/ocr_dev/score.py [--workers N] [ID ...]

This set may be looked at and tuned on (its documents are ours); the independent set may not.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    from engine.ocr import outside

    parser = argparse.ArgumentParser()
    parser.add_argument("ids", nargs="*")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--no-classifier", action="store_true",
                        help="even type probabilities (the page's structure and title words decide): for when the "
                             "trained classifier is not there yet")
    args = parser.parse_args(argv)
    if args.no_classifier:
        from engine.ocr import classifier, synth

        classifier.model = lambda *a, **k: None
        classifier.probabilities = lambda text: dict.fromkeys(synth.DOC_TYPES, 0.2)
    outside.OUTSIDE_DIR = HERE  # same layout: docs/*.yml, photos/*.jpg
    report = outside.evaluate(ids=args.ids or None, workers=args.workers)
    for reader in report.readers:
        pooled = report.pooled(reader)
        cells = "  ".join(f"{k} {pooled.right[k]}/{pooled.total[k]}" for k in outside.FIELDS)
        print(f"{reader:16} {cells}  extra labs {pooled.extra_labs}  p50 {outside.percentile(pooled.seconds, 0.5):.1f}s")
    for line in report.worse_than_raw():
        print("WORSE", line)
    for doc_id, tallies in report.per_doc.items():
        for miss in tallies["pipeline"].misses:
            print(f"MISS {doc_id}: {miss}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
