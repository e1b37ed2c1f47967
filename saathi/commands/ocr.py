"""``saathi ocr FILE...`` (one contract JSON line per file) and ``saathi ocr-eval``.

With no FILE arguments, ``saathi ocr`` reads JSON lines ``{"file": "path"}`` on standard input, like the
other contract commands. A file that cannot be read still gets a line: ``{"file": ..., "error": ...}``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("ocr", help="read photos of prescriptions and reports (one JSON line per file)")
    parser.add_argument("files", nargs="*", help="image files; none = JSON lines {\"file\": ...} on stdin")
    parser.set_defaults(func=run)
    evaluate = sub.add_parser("ocr-eval", help="accuracy on the generator's held-out photos and on the independent "
                                               "hand-written set, next to raw Tesseract")
    evaluate.add_argument("--set", choices=("all", "generator", "outside"), default="all",
                          help="which evaluation set(s) to run")
    evaluate.add_argument("--only", nargs="*", default=None, help="independent-set document ids (a subset)")
    evaluate.add_argument("--per-class", type=int, default=20, help="held-out photos per document type")
    evaluate.add_argument("--start", type=int, default=60,
                          help="first held-out seed index (0-59 were looked at while fixing the parser)")
    evaluate.add_argument("--workers", type=int, default=2)
    evaluate.add_argument("--show-failures", type=int, default=15, help="how many failures to list")
    evaluate.set_defaults(func=run_eval)


def _read_one(path: str) -> dict[str, Any]:
    from engine.ocr import read_document

    try:
        return read_document(path, name=path).to_contract()
    except FileNotFoundError:
        return {"file": path, "error": "file not found"}
    except (ValueError, OSError) as exc:
        return {"file": path, "error": str(exc)}


def run(args: argparse.Namespace) -> int:
    from saathi.jsonl import emit, run_jsonl

    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    if args.files:
        for path in args.files:
            try:
                emit(_read_one(path))
            except Exception as exc:  # the contract: every file gets a line
                emit({"file": path, "error": f"{type(exc).__name__}: {exc}"})
        return 0

    def handle(obj: dict[str, Any]) -> dict[str, Any]:
        path = obj.get("file") or obj.get("path")
        if not isinstance(path, str):
            return {"error": "each line needs a string field \"file\""}
        return _read_one(path)

    return run_jsonl(handle)


def run_eval(args: argparse.Namespace) -> int:
    passed = True
    if args.set in ("all", "generator"):
        passed &= _generator_eval(args)
    if args.set in ("all", "outside"):
        passed &= _outside_eval(args)
    return 0 if passed else 1


def _generator_eval(args: argparse.Namespace) -> bool:
    import statistics
    import time

    from engine.ocr.evaluate import THRESHOLDS, evaluate

    start = time.perf_counter()
    report = evaluate(per_class=args.per_class, workers=args.workers, start=args.start)
    metrics = report.metrics()
    print(f"GENERATOR SET (engine/ocr/synth.py, held-out seeds): {report.documents} photos ({args.per_class} per type, "
          f"seeds {args.start}-{args.start + args.per_class - 1}), "
          f"{time.perf_counter() - start:.0f} s wall, median {statistics.median(report.seconds):.2f} s/photo")
    print(f"  doc-type accuracy       {metrics['doc_type_accuracy']:.3f}  (min {THRESHOLDS['doc_type_accuracy']})")
    print(f"  medication recall       {metrics['medication_recall']:.3f}  ({report.meds_found}/{report.meds_total}; "
          f"min {THRESHOLDS['medication_recall']})")
    print(f"  frequency accuracy      {metrics['frequency_accuracy']:.3f}  ({report.freq_correct}/{report.freq_total}; "
          f"min {THRESHOLDS['frequency_accuracy']})")
    print(f"  lab value+flag accuracy {metrics['lab_value_flag_accuracy']:.3f}  ({report.labs_correct}/"
          f"{report.labs_total}; min {THRESHOLDS['lab_value_flag_accuracy']})")
    for failure in report.failures[: args.show_failures]:
        print(f"  - {failure}")
    print(json.dumps({"set": "generator", "metrics": metrics, "passed": report.passed()}), file=sys.stderr)
    return report.passed()


def _outside_eval(args: argparse.Namespace) -> bool:
    import time

    from engine.ocr import outside

    start = time.perf_counter()
    report = outside.evaluate(ids=args.only, workers=args.workers)
    print(f"INDEPENDENT SET (tests/data/ocr_outside: hand-written HTML, own camera model; never tuned on): "
          f"{len(report.docs)} photos, {time.perf_counter() - start:.0f} s wall")
    labels = {"doc_type": "doc type", "medicines": "medicines found", "frequency": "frequency",
              "unread": "unreadable dose left unread", "labs": "lab value+flag"}
    print(f"  {'':30}" + "".join(f"{r:>20}" for r in report.readers))
    summary: dict[str, dict] = {}
    for reader in report.readers:
        pooled = report.pooled(reader)
        summary[reader] = {k: pooled.ratio(k) for k in outside.FIELDS}
        summary[reader].update(extra_labs=pooled.extra_labs, avoided_listed=pooled.avoided_listed,
                               p50=outside.percentile(pooled.seconds, 0.5), p95=outside.percentile(pooled.seconds, 0.95))
    for key in outside.FIELDS:
        cells = []
        for reader in report.readers:
            pooled = report.pooled(reader)
            ratio = pooled.ratio(key)
            cells.append(f"{ratio:.3f} ({pooled.right[key]}/{pooled.total[key]})" if ratio is not None else "-")
        print(f"  {labels[key]:30}" + "".join(f"{c:>20}" for c in cells))
    print(f"  {'lab rows not on the page':30}" + "".join(f"{summary[r]['extra_labs']:>20}" for r in report.readers))
    print(f"  {'avoid-listed drugs read as Rx':30}" + "".join(f"{summary[r]['avoided_listed']:>20}"
                                                           for r in report.readers))
    print(f"  {'seconds per photo p50 / p95':30}" + "".join(f"{summary[r]['p50']:>11.2f} / {summary[r]['p95']:<6.2f}"
                                                           for r in report.readers))
    worse = report.worse_than_raw()
    print(f"  documents where the pipeline reads a field worse than raw Tesseract: {len(worse)}")
    for line in worse:
        print(f"  - {line}")
    misread = [(doc_id, t["pipeline"].misses) for doc_id, t in report.per_doc.items() if t["pipeline"].misses]
    print(f"  documents still misread by the pipeline: {len(misread)}")
    for doc_id, misses in misread[: args.show_failures]:
        print(f"  - {doc_id}: " + "; ".join(misses))
    pipeline = summary["pipeline"]
    met = all((pipeline[k] or 0) >= v for k, v in outside.TARGETS.items()) and not worse
    print(json.dumps({"set": "outside", "summary": summary, "worse_than_raw": worse, "targets_met": met}),
          file=sys.stderr)
    return met
