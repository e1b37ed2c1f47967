"""``saathi triage`` (contract JSON lines) and ``saathi triage-eval`` (vignette evaluation).

Input line: ``{"text": "...", "age": 34, "sex": "f", "symptoms": [codes]?}``; the language is
detected from the text. Output: exactly the contract's triage object, one line per input line.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("triage", help="triage JSON lines {\"text\", \"age\", \"sex\", \"symptoms\"?}")
    parser.set_defaults(func=run)
    evaluate = sub.add_parser("triage-eval", help="emergency recall, urgency, top-k and specialist accuracy")
    evaluate.add_argument("--data", default=None, help="vignettes YAML (default tests/data/triage_vignettes.yml)")
    evaluate.add_argument("--failures", action="store_true", help="also list the vignettes it got wrong")
    evaluate.add_argument("--json", action="store_true", help="print the summary as JSON")
    evaluate.set_defaults(func=run_eval)


def _number(value: Any, name: str) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"\"{name}\" must be a number")
    return float(value)


def handle(obj: dict[str, Any]) -> dict[str, Any]:
    from engine.triage import triage

    text = obj.get("text")
    if text is not None and not isinstance(text, str):
        return {"error": "\"text\" must be a string"}
    symptoms = obj.get("symptoms") or []
    if not isinstance(symptoms, list) or not all(isinstance(s, str) for s in symptoms):
        return {"error": "\"symptoms\" must be a list of symptom codes"}
    if not text and not symptoms:
        return {"error": "each line needs \"text\" or \"symptoms\""}
    sex = obj.get("sex")
    if sex is not None and (not isinstance(sex, str) or sex.lower()[:1] not in ("m", "f")):
        sex = None
    try:
        age = _number(obj.get("age"), "age")
        duration = _number(obj.get("duration_days"), "duration_days")
    except ValueError as exc:
        return {"error": str(exc)}
    result = triage(text, symptoms=symptoms, age=age, sex=sex, duration_days=duration,
                    pregnant=obj.get("pregnant") if isinstance(obj.get("pregnant"), bool) else None)
    return result.to_contract()


def run(args: argparse.Namespace) -> int:
    from engine.triage import default_engine
    from saathi.jsonl import run_jsonl

    _ = default_engine().model  # load (or train on first use) before the first line, not during it
    return run_jsonl(handle)


def run_eval(args: argparse.Namespace) -> int:
    from engine.triage import default_engine
    from engine.triage.evaluate import evaluate, load_vignettes

    engine = default_engine()
    report = evaluate(engine, load_vignettes(args.data))
    summary = report.summary()
    summary["model_version"] = engine.model.version if engine.model else None
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
    else:
        print(f"triage evaluation on {summary['vignettes']} vignettes (model {summary['model_version']})")
        print(f"  emergency recall      {summary['emergency_recall']:.1%} of {summary['emergencies']}")
        print(f"  urgency accuracy      {summary['urgency_accuracy']:.1%}")
        print(f"  over-triage           {summary['over_triage']}")
        print(f"  under-triage          {summary['under_triage']} "
              f"(emergencies under-triaged: {summary['under_triaged_emergencies']})")
        print(f"  top-1 accuracy        {summary['top1_accuracy']:.1%}")
        print(f"  top-3 accuracy        {summary['top3_accuracy']:.1%}")
        print(f"  specialist accuracy   {summary['specialist_accuracy']:.1%}")
        print(f"  urgency gold->pred    {summary['urgency_confusion']}")
    if args.failures:
        for failure in report.failures:
            print(json.dumps(failure, ensure_ascii=False), file=sys.stderr)
    return 0
