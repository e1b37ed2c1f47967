"""``saathi models install``: assemble the speech model (Whisper base) into its model directory."""

from __future__ import annotations

import argparse
import sys


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("models", help="install the offline models (speech)")
    parser.add_argument("action", choices=["install", "status"])
    parser.add_argument("--dir", default="", help="model directory (default: SAATHI_WHISPER_MODEL_DIR or the cache)")
    parser.add_argument("--force", action="store_true", help="rebuild even if the model is there")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from config.settings import load
    from engine.speech.models import ModelMissing, fingerprint, install_whisper_base, is_installed

    target = Path(args.dir) if args.dir else load().effective_whisper_model_dir
    if args.action == "status":
        if is_installed(target):
            print(f"speech model: {target} ({fingerprint(target)})")
            return 0
        print(f"speech model missing in {target}; run `saathi models install`", file=sys.stderr)
        return 1
    try:
        install_whisper_base(target, force=args.force)
    except ModelMissing as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"speech model installed in {target} ({fingerprint(target)})")
    return 0
