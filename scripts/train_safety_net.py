"""Train the emergency safety net (``nlu.safety_net``) from ``data/safety_net/*.tsv`` and ship it.

Usage (in ``.venv``)::

    python scripts/train_safety_net.py                 # retrain, write data/safety_net/model.{npz,json}
    python scripts/train_safety_net.py --refresh       # first regenerate from_nlu.tsv and from_kb.tsv
    python scripts/train_safety_net.py --check         # retrain in memory, fail unless it equals the shipped model

See ``engine/triage/safety_net_training.py`` for the splits and the threshold rule.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine.triage import safety_net_training as training  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--refresh", action="store_true",
                        help="regenerate from_nlu.tsv (bot/data/nlu) and from_kb.tsv (KB + symptom lexicon) first")
    parser.add_argument("--check", action="store_true", help="verify the shipped model is reproduced; write nothing")
    args = parser.parse_args()
    if args.refresh and not args.check:
        print(training.write_derived_rows())
    meta, index, weight = training.train()
    if args.check:
        same = training.same_model((meta, index, weight), training.shipped())
        print("shipped model reproduced" if same else "shipped model differs from a retrain: run without --check")
        return 0 if same else 1
    training.save(meta, index, weight)
    print(json.dumps({k: meta[k] for k in ("version", "thresholds", "heldout", "training")}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
