"""``saathi triage`` (contract JSON lines) and ``saathi triage-eval`` (vignette evaluation).

Input line: ``{"text": "...", "age": 34, "sex": "f", "symptoms": [codes]?}``; the language is
detected from the text. Output: exactly the contract's triage object, one line per input line.
Optional fields beyond the contract's: ``duration_days``, ``pregnant``, and ``date`` (ISO
``YYYY-MM-DD``), ``state`` (ISO 3166-2:IN code or name) and ``district`` for the season and region
priors. A line without them ranks as before: no date means no season prior, never "today".
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("triage", help="triage JSON lines {\"text\", \"age\", \"sex\", \"symptoms\"?}")
    parser.set_defaults(func=run)
    evaluate = sub.add_parser("triage-eval", help="per evaluation set: emergency recall, self-care over-triage, "
                                                  "under-triage, urgency, top-k and specialist accuracy")
    evaluate.add_argument("--data", default=None, help="one vignettes YAML instead of the standard sets")
    evaluate.add_argument("--set", dest="sets", action="append", default=None,
                          help="only this standard set (repeatable): own, outside_clinical, outside_vitals, "
                               "outside_wide")
    evaluate.add_argument("--failures", action="store_true", help="also list the vignettes it got wrong (stderr)")
    evaluate.add_argument("--json", action="store_true",
                          help='print {"model_version", "sets": {name: summary}} as JSON')
    evaluate.add_argument("--summary", action="store_true",
                          help="only the figures of each set side by side: no case texts or ids, so whoever "
                               "changes rules or lexicon can measure on the outside sets without reading them")
    evaluate.set_defaults(func=run_eval)


def _number(value: Any, name: str) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"\"{name}\" must be a number")
    return float(value)


def _date(value: Any) -> str | None:
    """An ISO date (``2026-08-14``) or None; anything else is the line's error."""
    import datetime as dt

    if value is None or value == "":
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10]).isoformat()
    except ValueError:
        raise ValueError("\"date\" must be an ISO date YYYY-MM-DD") from None


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
        when = _date(obj.get("date"))
    except ValueError as exc:
        return {"error": str(exc)}
    place = {key: obj[key] for key in ("state", "district") if isinstance(obj.get(key), str) and obj[key].strip()}
    result = triage(text, symptoms=symptoms, age=age, sex=sex, duration_days=duration,
                    pregnant=obj.get("pregnant") if isinstance(obj.get("pregnant"), bool) else None,
                    when=when, **place)
    return result.to_contract()


def run(args: argparse.Namespace) -> int:
    from engine.triage import default_engine
    from saathi.jsonl import run_jsonl

    _ = default_engine().model  # load (or train on first use) before the first line, not during it
    return run_jsonl(handle)


def run_eval(args: argparse.Namespace) -> int:
    from pathlib import Path

    from engine.triage import default_engine
    from engine.triage.evaluate import SETS, evaluate_sets

    if args.data:
        paths = {Path(args.data).stem: Path(args.data)}
    else:
        unknown = sorted(set(args.sets or ()) - set(SETS))
        if unknown:
            print(f"unknown set(s) {unknown}; known: {sorted(SETS)}", file=sys.stderr)
            return 2
        paths = {name: path for name, path in SETS.items() if not args.sets or name in args.sets}
    engine = default_engine()
    reports = evaluate_sets(engine, paths)
    version = engine.model.version if engine.model else None
    if args.summary:
        _print_table(reports, always=True)
    elif args.json:
        print(json.dumps({"model_version": version,
                          "sets": {name: r.summary() for name, r in reports.items()}}, ensure_ascii=False))
    else:
        print(f"triage evaluation (model {version}); every set was written apart from the code, "
              "and the outside sets apart from its lexicon and rules")
        for name, report in reports.items():
            _print_set(name, paths[name], report)
        _print_table(reports)
    if args.failures and not args.summary:
        for name, report in reports.items():
            for failure in report.failures:
                print(json.dumps({"set": name, **failure}, ensure_ascii=False), file=sys.stderr)
    return 0


def _count(part: int, whole: int) -> str:
    return f"{part}/{whole} ({part / whole:.1%})" if whole else "n/a"


def _print_set(name: str, path, report) -> None:
    """One set's figures, its per-language rows and the emergencies it missed."""
    s = report.summary()
    met = report.meets_targets()
    mark = {True: "meets the issue #13 target", False: "MISSES the issue #13 target"}
    print(f"\n== {name}: {path.name}, {s['vignettes']} vignettes")
    print(f"  emergency recall          {_count(s['emergencies_caught'], s['emergencies'])}  "
          f"[{mark[met['emergency_recall']]}: 100%]")
    if "self_care_over_triage" in met:
        print(f"  self-care over-triaged    {_count(s['self_care_over_triaged'], s['self_care_cases'])} "
              f"called urgent or emergency  [{mark[met['self_care_over_triage']]}: at most 4 of 15]")
    else:
        print("  self-care over-triaged    n/a (the set marks no self-care cases)")
    print(f"  routine over-triaged      {_count(s['routine_over_triaged'], s['routine_cases'])}")
    print(f"  under-triage              {s['under_triage']} (emergencies under-triaged: "
          f"{s['under_triaged_emergencies']}); over-triage {s['over_triage']}")
    print(f"  urgency accuracy          {s['urgency_accuracy']:.1%}")
    print(f"  ICD-10 top-1 / top-3      {s['top1_accuracy']:.1%} / {s['top3_accuracy']:.1%}")
    print(f"  specialist accuracy       {s['specialist_accuracy']:.1%}")
    print(f"  acceptable code in KB     {_count(s['in_kb'], s['vignettes'])} (the ceiling for top-k)")
    print(f"  urgency gold->pred        {s['urgency_confusion']}")
    if len(s.get("by_language", {})) > 1:
        print("  by language               emergencies caught | self-care over-triaged | urgency | top-3 | specialist")
        for group, row in s["by_language"].items():
            print(f"    {group:<10} n={row['vignettes']:<4} {_count(row['emergencies_caught'], row['emergencies']):>16} | "
                  f"{_count(row['self_care_over_triaged'], row['self_care_cases']):>16} | "
                  f"{row['urgency_accuracy']:.1%} | {row['top3_accuracy']:.1%} | {row['specialist_accuracy']:.1%}")
    if s.get("by_chapter"):
        _print_chapters(s["by_chapter"])
    print(f"  missed emergencies        {len(report.missed_emergencies)}")
    for miss in report.missed_emergencies:
        text = miss["text"] if len(miss["text"]) <= 90 else miss["text"][:87] + "..."
        print(f"    {miss['id']} -> {miss['urgency']}: {text}")
    for line in _extra_lines(report):
        print(f"  {line}")
    if report.commands is not None:
        for miss in report.commands.missed_emergencies:
            print(f"    VISIT missed {miss['id']} -> {miss['urgency']}: {miss['text']}")
    for label, checks in (("reading not read", report.readings), ("implausible not asked back", report.implausible)):
        for item_id in (checks.failed if checks is not None else ()):
            print(f"    {label}: {item_id}")


def _extra_lines(report) -> list[str]:
    """Figures only: readings read, ASHA VISIT lines, implausible values asked back (where the set has them)."""
    lines = []
    if report.readings is not None:
        lines.append(f"readings read             {_count(report.readings.passed, report.readings.n)} "
                     "(every gold reading found with its value)")
    if report.commands is not None:
        c = report.commands.summary()
        lines.append(f"ASHA VISIT lines          {c['vignettes']}: emergency recall "
                     f"{_count(c['emergencies_caught'], c['emergencies'])}, urgency {c['urgency_accuracy']:.1%}, "
                     f"under-triage {c['under_triage']}, over-triage {c['over_triage']}")
    if report.implausible is not None:
        lines.append(f"implausible asked back    {_count(report.implausible.passed, report.implausible.n)}")
    return lines


def _print_chapters(rows: dict[str, dict]) -> None:
    """The per-chapter rows of a set that tags its vignettes with chapters (the wide set)."""
    print(f"  by chapter {'':<12} {'n':>4} {'top-1':>6} {'top-3':>6} {'spec.':>6} {'in KB':>6}  "
          f"{'emergencies caught':>18}  {'self-care over-triaged':>22}  {'under':>5}")
    for chapter, row in rows.items():
        print(f"    {chapter:<21} {row['vignettes']:>4} {row['top1_accuracy']:>6.1%} {row['top3_accuracy']:>6.1%} "
              f"{row['specialist_accuracy']:>6.1%} {row['in_kb'] / row['vignettes']:>6.1%}  "
              f"{_count(row['emergencies_caught'], row['emergencies']):>18}  "
              f"{_count(row['self_care_over_triaged'], row['self_care_cases']):>22}  {row['under_triage']:>5}")


def _print_table(reports: dict, always: bool = False) -> None:
    """All sets side by side, so the own-set figure is never read without the outside ones
    (``always``: even for one set, as the whole of ``--summary``)."""
    if len(reports) < 2 and not always:
        return
    print(f"\n{'set':<18} {'n':>4}  {'emergency recall':>17}  {'self-care over-triage':>21}  {'under':>5}  "
          f"{'urgency':>7}  {'top-3':>6}  {'specialist':>10}")
    for name, report in reports.items():
        s = report.summary()
        print(f"{name:<18} {s['vignettes']:>4}  {_count(s['emergencies_caught'], s['emergencies']):>17}  "
              f"{_count(s['self_care_over_triaged'], s['self_care_cases']):>21}  {s['under_triage']:>5}  "
              f"{s['urgency_accuracy']:>7.1%}  {s['top3_accuracy']:>6.1%}  {s['specialist_accuracy']:>10.1%}")
    for name, report in reports.items():
        for line in _extra_lines(report):
            print(f"{name:<18} {line}")
