"""``saathi model list | train | promote VERSION | rollback | retrain | drift``: the triage model's versions.

Serving (``engine.triage``) loads the promoted version; a running server picks up a promotion on
its next start. Versions are named by the hash of their training inputs.

``retrain`` learns from doctor-confirmed diagnoses and promotes only if not worse
(:mod:`engine.triage.retrain`): queued on RQ (queue ``triage``) when ``REDIS_URL`` is set, run here
otherwise. ``drift`` prints the population stability index of recent traffic against the promoted
version's training population (:mod:`engine.triage.drift`), per feature, flagging PSI above 0.2.
Recent traffic is the bot's de-identified traffic log (:mod:`engine.triage.traffic`), or the
portal's labels when that log has nothing in the window, or ``--traffic FILE``. ``drift --prune``
deletes log rows older than ``SAATHI_TRAFFIC_DAYS``.
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
    _training_arguments(train)
    train.add_argument("--promote", action="store_true")
    promote = actions.add_parser("promote", help="serve this version")
    promote.add_argument("version")
    actions.add_parser("rollback", help="serve the previously promoted version again")
    retrain = actions.add_parser("retrain", help="train on KB cases + doctor-confirmed labels; promote if not worse")
    _training_arguments(retrain)
    retrain.add_argument("--labels", help="JSON lines from `saathi portal labels` (default: the portal database)")
    retrain.add_argument("--label-weight", type=int, default=None, help="copies of each confirmed case")
    retrain.add_argument("--eval-cases", type=int, default=None, help="synthetic evaluation cases")
    retrain.add_argument("--wait", type=float, default=0, help="seconds to wait for a queued job's decision")
    drift = actions.add_parser("drift", help="PSI of recent triage traffic against the training population")
    drift.add_argument("--traffic", help="JSON lines of triage results (default: the traffic log, else portal labels)")
    drift.add_argument("--days", type=int, default=30, help="traffic from the last N days (without --traffic)")
    drift.add_argument("--prune", action="store_true",
                       help="delete traffic-log rows older than SAATHI_TRAFFIC_DAYS, then stop")
    drift.add_argument("--baseline-cases", type=int, default=None)
    drift.add_argument("--json", action="store_true")
    parser.set_defaults(func=run)


def _training_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--per-condition", type=int, default=None)
    parser.add_argument("--rounds", type=int, default=None, help="boosting rounds")
    parser.add_argument("--validation-cases", type=int, default=None, help="calibration cases")


def _config(args: argparse.Namespace):
    from dataclasses import replace

    from engine.triage.training import TrainingConfig

    config = TrainingConfig()
    if args.seed is not None:
        config = replace(config, seed=args.seed)
    if args.per_condition is not None:
        config = replace(config, per_condition=args.per_condition)
    if args.validation_cases is not None:
        config = replace(config, validation_cases=args.validation_cases)
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
        elif args.action == "retrain":
            return _retrain(args, registry)
        elif args.action == "drift":
            return _drift(args, registry)
        elif args.action == "promote":
            registry.promote(args.version)
            print(f"promoted {args.version}")
        else:
            print(f"rolled back to {registry.rollback()}")
    except RegistryError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


def _retrain(args: argparse.Namespace, registry) -> int:  # type: ignore[no-untyped-def]
    import time
    from dataclasses import asdict, replace
    from pathlib import Path

    from config.settings import load
    from engine.triage.retrain import LabelsUnavailable, RetrainJob, RetrainOptions, enqueue, run_job

    settings = load()
    options = RetrainOptions(_config(args))
    if args.label_weight is not None:
        options = replace(options, label_weight=args.label_weight)
    if args.eval_cases is not None:
        options = replace(options, eval_cases=args.eval_cases)
    job = RetrainJob(database_url="" if args.labels else settings.effective_database_url,
                     labels_path=str(Path(args.labels).resolve()) if args.labels else "",
                     model_dir=str(registry.root), options=options.as_dict())
    if not settings.redis_url:
        try:
            _print_decision(run_job(asdict(job)))
        except LabelsUnavailable as exc:
            print(exc, file=sys.stderr)
            return 1
        return 0
    queued = enqueue(job, settings.redis_url)
    print(f"queued retrain job {queued.id} on RQ queue 'triage' (worker: rq worker triage)")
    deadline = time.monotonic() + args.wait
    while time.monotonic() < deadline:
        status = queued.get_status(refresh=True)
        if status == "finished":
            _print_decision(queued.return_value())
            return 0
        if status in ("failed", "stopped", "canceled"):
            print(f"retrain job {status}", file=sys.stderr)
            return 1
        time.sleep(1)
    return 0


def _print_decision(decision: dict) -> None:
    labels, ev = decision["labels"], decision["evaluation"]
    verdict = "promoted" if decision["promoted"] else "kept the promoted version"
    print(f"candidate {decision['candidate']}: {verdict} ({decision['reason']}) in {decision['seconds']}s")
    print(f"labels: {labels['read']} read, {labels['mapped']} mapped ({labels['training']} training, "
          f"{labels['heldout']} held out), {labels['no_symptoms']} without symptoms, unmapped {labels['unmapped']}")
    for who in ("candidate", "promoted"):
        if who in ev:
            parts = "  ".join(f"{part} n={m['cases']} top3 {m.get('top3', '-')} nll {m.get('nll', '-')}"
                              for part, m in ev[who].items())
            print(f"{who:9} {parts}")
    print(json.dumps(decision))


def _drift(args: argparse.Namespace, registry) -> int:  # type: ignore[no-untyped-def]
    import datetime as dt

    from engine.triage import drift
    from engine.triage.kb import default_kb

    if args.prune:
        return _prune()
    kb = default_kb()
    version = registry.promoted()
    if version is None:
        print("no promoted triage model: nothing to compare with", file=sys.stderr)
        return 1
    model = registry.load(version)
    if args.traffic:
        recent, source = drift.read_jsonl(kb, args.traffic), args.traffic
    else:
        from config.settings import load
        from engine.triage import traffic
        from engine.triage.labels import read_database

        url = load().effective_database_url
        since = dt.date.today() - dt.timedelta(days=args.days)
        try:
            rows = traffic.read(url, since)
        except Exception as exc:  # noqa: BLE001 - no log table yet, database down: fall back below
            print(f"traffic log not readable ({type(exc).__name__})", file=sys.stderr)
            rows = []
        if rows:
            recent, source = traffic.to_traffic(rows), f"traffic log since {since}"
        else:
            print(f"the triage traffic log has no rows since {since}: using the portal labels", file=sys.stderr)
            try:
                recent = drift.from_labels(kb, read_database(url, since))
            except Exception as exc:  # noqa: BLE001 - any database failure: say what to do instead
                print(f"portal labels not readable ({type(exc).__name__}); pass --traffic FILE", file=sys.stderr)
                return 1
            source = f"portal labels since {since}"
    n = args.baseline_cases or drift.BASELINE_CASES
    report = drift.compare(kb, drift.cached_training_traffic(kb, model, registry.root / "drift", n), recent)
    if args.json:
        print(json.dumps({"version": version, "source": source, **report}))
        return 0
    print(f"model {version}: {report['cases']['recent']} recent cases ({source}) "
          f"vs {report['cases']['training']} training-population cases")
    print(f"bands: < 0.1 stable, 0.1-0.25 moderate, >= 0.25 significant; ! = PSI above {drift.FLAG}")
    titles = {"symptoms": "symptom mix", "conditions": "predicted condition", "age_band": "age band",
              "duration_band": "duration band"}
    for name in report["features"]:
        r, title = report[name], titles.get(name, name)
        if r["psi"] is None:
            print(f"  {title:20} no data")
            continue
        movers = ", ".join(f"{m['code']} {m['training']:.3f}->{m['recent']:.3f}" for m in r["top"][:3])
        mark = "!" if r["flagged"] else " "
        print(f"{mark} {title:20} PSI {r['psi']:.3f}  {r['band']:11} (noise ~{r['noise']:.3f}, {r['bins']} bins)  "
              f"{movers}")
    flagged = [n for n in report["features"] if report[n]["flagged"]]
    print(f"flagged (PSI > {drift.FLAG}): {', '.join(flagged) if flagged else 'none'}")
    return 0


def _prune() -> int:
    """Retention of the traffic log: delete rows older than ``SAATHI_TRAFFIC_DAYS``."""
    from config.settings import load
    from engine.triage import traffic

    settings = load()
    try:
        gone = traffic.prune(settings.effective_database_url, settings.traffic_days)
    except Exception as exc:  # noqa: BLE001 - any database failure: report, no traceback with values
        print(f"traffic log not pruned ({type(exc).__name__})", file=sys.stderr)
        return 1
    print(f"pruned {gone} traffic-log rows older than {settings.traffic_days} days")
    return 0
