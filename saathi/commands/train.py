"""``saathi train``: train the Rasa model unless a model for the same inputs is cached."""

from __future__ import annotations

import argparse
import sys
import time


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("train", help="train the Rasa model (cached by a hash of its inputs)")
    parser.add_argument("--force", action="store_true", help="train even if a cached model exists")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from saathi.rasa_model import cached_model, ensure_model

    cached = cached_model().exists() and not args.force
    started = time.monotonic()
    path = ensure_model(force=args.force)
    took = time.monotonic() - started
    print(f"model: {path} ({'cached' if cached else f'trained in {took:.0f} s'})", file=sys.stderr)
    return 0
