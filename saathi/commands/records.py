"""Operator commands for health records.

``saathi db upgrade|downgrade|current``  — schema migrations (Alembic, records/migrations)
``saathi keys rotate [--retire]``       — new master key, re-wrap every data key, online
``saathi audit verify [--anchor F]``    — check the audit log's HMAC chains (exit 1 if broken)
``saathi audit head [--json]``           — the log's head (fingerprint, count) to anchor elsewhere
``saathi records export PATIENT``        — FHIR R4 Bundle of one patient (on their request)
``saathi records delete PATIENT --yes``  — crypto-shred and delete one patient (on their request)
``saathi records purge-transcripts``     — apply the transcript retention setting

The database is ``DATABASE_URL`` (or the embedded SQLite file); keys and file store come from
the settings too. Messages come from the catalogue; ``--language`` picks hi/pa/en.
"""

from __future__ import annotations

import argparse
import json
import sys
import uuid
from pathlib import Path
from typing import Any


def register(sub: argparse._SubParsersAction) -> None:
    db = sub.add_parser("db", help="migrate the database (every part's tables: one history)")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    up = db_sub.add_parser("upgrade", help="apply migrations (default: to the newest)")
    up.add_argument("revision", nargs="?", default="head")
    down = db_sub.add_parser("downgrade", help="undo migrations (e.g. -1, or base to drop everything)")
    down.add_argument("revision")
    db_sub.add_parser("current", help="show the database's revision")
    db.set_defaults(func=run_db)

    keys = sub.add_parser("keys", help="manage encryption keys")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True)
    rotate = keys_sub.add_parser("rotate", help="new master key; re-wrap all data keys without downtime")
    rotate.add_argument("--retire", action="store_true",
                        help="afterwards forget old master keys that wrap nothing any more")
    rotate.add_argument("--rewrap-only", action="store_true",
                        help="do not create a key (env/KMS providers: the new key is already current)")
    keys.set_defaults(func=run_keys)

    audit = sub.add_parser("audit", help="audit log")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True)
    verify = audit_sub.add_parser("verify", help="check the HMAC chains of the audit log")
    verify.add_argument("--anchor", help="a file written by `saathi audit head --json`: its heads must still be in the log")
    head = audit_sub.add_parser("head", help="print the log's head (fingerprint, count) to anchor elsewhere")
    head.add_argument("--json", action="store_true", help="the full anchor: every chain's head, for verify --anchor")
    audit.set_defaults(func=run_audit)

    rec = sub.add_parser("records", help="patient rights: export, delete, retention")
    rec_sub = rec.add_subparsers(dest="records_command", required=True)
    export = rec_sub.add_parser("export", help="write a patient's FHIR R4 Bundle (JSON)")
    export.add_argument("patient", type=uuid.UUID)
    export.add_argument("-o", "--output", help="file to write (default: standard output)")
    delete = rec_sub.add_parser("delete", help="delete a patient's data (crypto-shredding)")
    delete.add_argument("patient", type=uuid.UUID)
    delete.add_argument("--yes", action="store_true", help="really delete")
    purge = rec_sub.add_parser("purge-transcripts", help="delete conversation messages past retention")
    purge.add_argument("--days", type=int, default=None)
    rec.set_defaults(func=run_records)

    for parser in (db, keys, audit, rec):
        parser.add_argument("--language", default="en", choices=("hi", "pa", "en"))


def _say(message: str, args: argparse.Namespace, stream: Any = None, **fields: Any) -> None:
    from engine.i18n import t

    print(t(message, args.language, **fields), file=stream or sys.stdout)


def run_db(args: argparse.Namespace) -> int:
    from config.settings import load
    from engine import schema

    settings = load()
    url = settings.effective_database_url
    if args.db_command == "upgrade":  # every part's branch by default (one history: engine.schema)
        from saathi.commands import services

        target = "heads" if args.revision in ("head", "heads") else args.revision
        schema.upgrade(url, services(settings).records, target)
    elif args.db_command == "downgrade":
        schema.downgrade(url, args.revision)
    _say("records_db_at", args, revision=", ".join(sorted(schema.heads(url))) or "base")
    if args.db_command == "current":  # whether re-sealing (records revision 0004's step) is done
        from records.resealing import count_unbound
        from records.types import sealed_columns

        left = count_unbound(url, sealed_columns(schema.metadata()))
        if left:
            _say("records_db_unbound", args, count=left)
    return 0


def _service():  # type: ignore[no-untyped-def]
    from saathi.commands import services

    return services().records


def run_keys(args: argparse.Namespace) -> int:
    svc = _service()
    try:
        report = svc.rotate_keys(new_master_key=not args.rewrap_only, retire_old=args.retire)
    except NotImplementedError:  # env or KMS provider: keys are created outside Sehat Saathi
        _say("records_keys_external", args, stream=sys.stderr, provider=type(svc.keys).__name__)
        return 2
    remaining = ", ".join(f"{k}={n}" for k, n in sorted(report.remaining.items())) or "-"
    _say("records_keys_rotated", args, master=report.new_master_key_id, count=report.rewrapped,
         remaining=remaining)
    if report.retired:
        _say("records_keys_retired", args, keys=", ".join(report.retired))
    return 0


def run_audit(args: argparse.Namespace) -> int:
    from records.audit import parse_anchor

    svc = _service()
    if args.audit_command == "head":
        doc = svc.audit_head()
        if args.json:
            print(json.dumps(doc, indent=2))
        else:
            _say("records_audit_head", args, count=doc["count"], head=doc["fingerprint"])
        return 0
    anchor = parse_anchor(json.loads(Path(args.anchor).read_text())) if args.anchor else None
    result = svc.verify_audit(anchor)
    if result.ok:
        _say("records_audit_ok", args, count=result.checked, head=result.head_hash)
        return 0
    if result.first_bad_id is not None:
        _say("records_audit_broken", args, stream=sys.stderr, entry=result.first_bad_id, count=result.checked)
    for message, chains in (("records_audit_truncated", result.truncated_chains),
                            ("records_audit_unkeyed", result.unkeyed_chains),
                            ("records_audit_unanchored", result.unanchored_chains)):
        if chains:
            _say(message, args, stream=sys.stderr, chains=", ".join(map(str, chains)))
    return 1


def run_records(args: argparse.Namespace) -> int:
    from records import Actor, PatientNotFound

    svc = _service()
    operator = Actor.admin()  # an operator carrying out the patient's verified request
    try:
        if args.records_command == "export":
            bundle = svc.export_fhir(operator, args.patient)
            text = json.dumps(bundle, ensure_ascii=False, indent=1)
            if args.output:
                with open(args.output, "w", encoding="utf-8") as fh:
                    fh.write(text)
                _say("records_export_written", args, stream=sys.stderr, count=len(bundle["entry"]), path=args.output)
            else:
                print(text)
        elif args.records_command == "delete":
            if not args.yes:
                _say("records_delete_confirm", args, stream=sys.stderr)
                return 2
            svc.delete_patient(operator, args.patient)
            _say("records_deleted", args)
        else:
            days = svc.retention_days if args.days is None else args.days
            count = svc.purge_transcripts(days)
            from config.settings import load

            tracker_store_url = load().tracker_store_url
            if tracker_store_url and days > 0:  # Rasa's events too (engine.transcripts)
                from engine.transcripts import purge_tracker_events

                count += purge_tracker_events(tracker_store_url, days)
            _say("records_purged", args, count=count, days=days)
    except PatientNotFound:
        _say("records_patient_not_found", args, stream=sys.stderr)
        return 1
    return 0
