"""``saathi``: the command line of Sehat Saathi.

Each sub-command lives in its own module under :mod:`saathi.commands` and exposes
``register(subparsers)``; this file only lists them, so adding a command touches one line here.
Heavy imports happen inside the command functions, so ``saathi --help`` stays instant.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys

COMMAND_MODULES = [
    "saathi.commands.nlu",
    "saathi.commands.train",
    "saathi.commands.up",
    "saathi.commands.status",
    "saathi.commands.chat",
    "saathi.commands.simulate",
    "saathi.commands.models",
    "saathi.commands.ocr",
    "saathi.commands.records",
    "saathi.commands.backup",
    "saathi.commands.portal",
    "saathi.commands.triage",
    "saathi.commands.model",
    "saathi.commands.pharmacy",
    "saathi.commands.asha",
    "saathi.commands.media",
    "saathi.commands.surveillance",
]


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    # Logs go to stderr only: stdout belongs to the JSON-lines contract.
    logging.basicConfig(
        stream=sys.stderr,
        level=os.environ.get("SAATHI_LOG_LEVEL", "WARNING"),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    parser = argparse.ArgumentParser(prog="saathi", description="Sehat Saathi health assistant")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    args = parser.parse_args(argv)
    from config.settings import load_for_start

    load_for_start("saathi")  # a production deployment with a default or short secret stops here
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
