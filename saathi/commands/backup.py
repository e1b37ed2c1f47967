"""``saathi backup`` / ``saathi restore``: the records database, keys and files in one archive
(engine/backup.py). The passphrase comes from ``SAATHI_BACKUP_PASSPHRASE`` or the terminal, never
from the command line (``ps`` shows command lines to everybody)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    backup = sub.add_parser("backup", help="archive the records database, keys (sealed) and files")
    backup.add_argument("-o", "--output", type=Path, help="archive to write (default: var/backups/saathi-<time>.tar)")
    backup.set_defaults(func=run_backup)
    restore = sub.add_parser("restore", help="restore an archive into the configured, empty database")
    restore.add_argument("archive", type=Path)
    restore.set_defaults(func=run_restore)


def _passphrase(settings, confirm: bool) -> str:  # type: ignore[no-untyped-def]
    if settings.backup_passphrase:
        return settings.backup_passphrase
    if not sys.stdin.isatty():
        raise SystemExit("saathi: set SAATHI_BACKUP_PASSPHRASE (or run on a terminal to be asked)")
    import getpass

    first = getpass.getpass("backup passphrase: ")
    if confirm and getpass.getpass("again: ") != first:
        raise SystemExit("saathi: the two passphrases differ")
    return first


def run_backup(args: argparse.Namespace) -> int:
    from config.settings import load
    from engine.backup import BackupError, backup, default_output

    settings = load()
    output = args.output or default_output(settings)
    try:
        manifest = backup(settings, output, _passphrase(settings, confirm=True))
    except BackupError as exc:
        print(f"saathi backup: {exc}", file=sys.stderr)
        return 1
    files = sum(1 for name in manifest["sha256"] if name.startswith("records/"))
    print(f"{output}: {manifest['database']} database, records keys sealed, {files} record file(s)")
    return 0


def run_restore(args: argparse.Namespace) -> int:
    from config.settings import load
    from engine.backup import BackupError, restore

    settings = load()
    try:
        done = restore(settings, args.archive, _passphrase(settings, confirm=False))
    except BackupError as exc:
        print(f"saathi restore: {exc}", file=sys.stderr)
        return 1
    print(f"restored {done.database} database, {done.key_files} key file(s), {done.record_files} record file(s)")
    return 0
