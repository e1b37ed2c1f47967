"""``saathi model list | train | promote VERSION | rollback``: the triage model's versions.

Serving (``engine.triage``) loads the promoted version; a running server picks up a promotion on
its next start. Versions are named by the hash of their training inputs.
"""

from __future__ import annotations

import argparse
import json
import sys


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("model", help="triage model versions: list, train, promote, rollback")
    actions = parser.add_subparsers(dest="action", required=True)
    actions.add_parser("list", help="every stored version with its metrics (* = promoted)")
    train = actions.add_parser("train", help="train a version for the current knowledge base")
    train.add_argument("--seed", type=int, default=None)
    train.add_argument("--per-condition", type=int, default=None)
    train.add_argument("--rounds", type=int, default=None, help="boosting rounds")
    train.add_argument("--promote", action="store_true")
    promote = actions.add_parser("promote", help="serve this version")
    promote.add_argument("version")
    actions.add_parser("rollback", help="serve the previously promoted version again")
    parser.set_defaults(func=run)


def _config(args: argparse.Namespace):
    from dataclasses import replace

    from engine.triage.training import TrainingConfig

    config = TrainingConfig()
    if args.seed is not None:
        config = replace(config, seed=args.seed)
    if args.per_condition is not None:
        config = replace(config, per_condition=args.per_condition)
    if args.rounds is not None:
        config = replace(config, params={**config.params, "num_boost_round": args.rounds})
    return config


def run(args: argparse.Namespace) -> int:
    from engine.triage.kb import default_kb
    from engine.triage.registry import Registry, RegistryError

    registry = Registry()
    try:
        if args.action == "list":
            for meta in registry.versions():
                mark = "*" if meta["promoted"] else " "
                ens = meta["metrics"]["ensemble"]
                print(f"{mark} {meta['version']}  {meta['created']}  kb {meta['kb_digest'][:10]}  "
                      f"top1 {ens['top1']:.3f} top3 {ens['top3']:.3f} nll {ens['nll']:.3f}  "
                      f"train {meta['train_seconds']}s")
        elif args.action == "train":
            version = registry.train(default_kb(), _config(args), promote=args.promote)
            meta = next(m for m in registry.versions() if m["version"] == version)
            print(json.dumps({"version": version, "promoted": meta["promoted"], "metrics": meta["metrics"]}))
        elif args.action == "promote":
            registry.promote(args.version)
            print(f"promoted {args.version}")
        else:
            print(f"rolled back to {registry.rollback()}")
    except RegistryError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0
