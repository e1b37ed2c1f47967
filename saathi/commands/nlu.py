"""``saathi nlu``: JSON lines in, the contract's NLU JSON out (see ../shared/contract/README.md).

The parse comes from the trained Rasa model, whose pipeline includes our own components
(language and script, symptoms, red flags), through a running server or a parse worker.
"""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("nlu", help="parse JSON lines {\"text\": ...} with the trained model")
    parser.set_defaults(func=run)
    evaluate = sub.add_parser("nlu-eval", help="intent accuracy and symptom P/R on the held-out sets")
    evaluate.add_argument("--data", default=None,
                          help="one held-out YAML (default: the own, wild and public sets, side by side)")
    evaluate.add_argument("--show-errors", action="store_true",
                          help="also print misread messages (not while writing training data: that tunes on them)")
    evaluate.set_defaults(func=run_eval)


#: Our own intents that belong to a contract intent (the contract's list is of core intents).
CONTRACT_INTENT = {"reminder_times": "ask_medicine", "tell_allergy": "ask_medicine"}


def to_contract(parse: dict[str, Any]) -> dict[str, Any]:
    """Rasa's parse → the contract's fields (and nothing that could not be serialised)."""
    intent = parse.get("intent") or {}
    entities = [
        {k: e[k] for k in ("entity", "value", "start", "end", "confidence", "extractor") if k in e}
        for e in parse.get("entities") or []
    ]
    return {
        "language": parse.get("language") or "en",
        "script": parse.get("script") or "Latn",
        "intent": CONTRACT_INTENT.get(intent.get("name"), intent.get("name")),
        "confidence": round(float(intent.get("confidence") or 0.0), 4),
        "symptoms": list(parse.get("symptoms") or []),
        "emergency": bool(parse.get("emergency")),
        "entities": entities,
    }


def run(args: argparse.Namespace) -> int:
    from saathi.jsonl import run_jsonl
    from saathi.rasa_client import open_parser

    parser = open_parser()

    def handle(obj: dict[str, Any]) -> dict[str, Any]:
        text = obj.get("text")
        if not isinstance(text, str):
            return {"error": "each line needs a string field \"text\""}
        return to_contract(parser.parse(text))

    try:
        return run_jsonl(handle)
    finally:
        parser.close()


def run_eval(args: argparse.Namespace) -> int:
    from pathlib import Path

    from saathi.nlu_eval import HELDOUT_SETS, evaluate_sets, print_report

    paths = {args.data: Path(args.data)} if args.data else HELDOUT_SETS
    for name, report in evaluate_sets(paths).items():
        print_report(report, title=f"== {name} ({paths[name].name})", show_errors=args.show_errors)
    return 0
