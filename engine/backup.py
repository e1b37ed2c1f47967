"""Backups that can be restored: the records database, the records keys, the encrypted file store.

One tar archive (``saathi backup``):

* ``database.pgdump`` (``pg_dump --format=custom`` of ``DATABASE_URL``) or ``database.sqlite`` (the
  embedded file, copied with SQLite's online backup);
* ``secrets.enc``: every file under ``var/keys/`` (the records key file of the ``file`` provider,
  generated secrets) and, with the ``env`` provider, ``SAATHI_MASTER_KEYS``/``SAATHI_LOOKUP_KEY``,
  sealed with AES-256-GCM under a key derived from the operator's passphrase (scrypt). The
  database alone is worthless without the keys (every record is sealed with them), and the keys
  must never sit in clear next to it: whoever holds the archive without the passphrase holds
  ciphertext only;
* ``records/…``: the local file store (already sealed per record; an S3 store has its own backups);
* ``manifest.json``: format, time, what is inside, a SHA-256 of every member, the KDF parameters.

``saathi restore`` checks every hash and opens the secrets (a wrong passphrase stops it before
anything is written), refuses a database that already has tables and key files that differ from
the archive's, then restores the database with ``pg_restore`` (or the SQLite file), the keys and
the files. Rasa's tracker store (conversations, kept 90 days) is not in the archive.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import json
import os
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

FORMAT = 1
#: scrypt cost: ~0.1 s and 32 MB per derivation here, so guessing passphrases is slow
SCRYPT = {"n": 2**15, "r": 8, "p": 1}
MIN_PASSPHRASE = 12
ENV_KEYS = ("SAATHI_MASTER_KEYS", "SAATHI_LOOKUP_KEY")


class BackupError(Exception):
    """A backup or restore that must stop, with the reason for the operator."""


@dataclass(frozen=True)
class Restored:
    database: str
    key_files: int
    record_files: int


def _derive(passphrase: str, salt: bytes, params: dict[str, int]) -> bytes:
    if len(passphrase) < MIN_PASSPHRASE:
        raise BackupError(f"the backup passphrase must have at least {MIN_PASSPHRASE} characters")
    return Scrypt(salt=salt, length=32, **params).derive(passphrase.encode("utf-8"))


def seal_secrets(secrets: dict[str, Any], passphrase: str, context: bytes) -> tuple[bytes, dict[str, Any]]:
    """(ciphertext, KDF header); ``context`` (the manifest's identity) is bound as associated data."""
    salt, nonce = os.urandom(16), os.urandom(12)
    key = _derive(passphrase, salt, SCRYPT)
    sealed = AESGCM(key).encrypt(nonce, json.dumps(secrets).encode("utf-8"), context)
    return sealed, {"kdf": "scrypt", **SCRYPT, "salt": base64.b64encode(salt).decode(),
                    "nonce": base64.b64encode(nonce).decode()}


def open_secrets(sealed: bytes, header: dict[str, Any], passphrase: str, context: bytes) -> dict[str, Any]:
    key = _derive(passphrase, base64.b64decode(header["salt"]), {k: int(header[k]) for k in SCRYPT})
    try:
        plain = AESGCM(key).decrypt(base64.b64decode(header["nonce"]), sealed, context)
    except InvalidTag:
        raise BackupError("wrong passphrase, or the archive was changed: nothing was restored") from None
    return json.loads(plain)


def libpq_url(url: str) -> str:
    """SQLAlchemy's ``postgresql+psycopg2://`` as pg_dump and pg_restore take it."""
    scheme, sep, rest = url.partition("://")
    return f"{scheme.split('+')[0]}{sep}{rest}"


def _run(command: list[str], what: str) -> bytes:
    done = subprocess.run(command, capture_output=True, timeout=3600, check=False)
    if done.returncode != 0:  # the first line of pg_dump's complaint: no data, no password (libpq hides it)
        first = done.stderr.decode("utf-8", "replace").strip().splitlines()[:1]
        raise BackupError(f"{what} failed: {first[0] if first else done.returncode}")
    return done.stdout


def _sqlite_path(url: str) -> Path:
    return Path(url.split(":///", 1)[1])


def _secrets_of(settings: Any) -> dict[str, Any]:
    keys_dir = settings.var_dir / "keys"
    files = {p.name: p.read_text() for p in sorted(keys_dir.glob("*")) if p.is_file()} if keys_dir.is_dir() else {}
    master = settings.effective_master_key_file
    secrets: dict[str, Any] = {"key_provider": settings.key_provider, "var_keys": files,
                               "master_key_file": master.read_text() if master.is_file() else None}
    if settings.key_provider == "env":
        secrets["env"] = {name: os.environ.get(name, "") for name in ENV_KEYS}
    return secrets


def backup(settings: Any, output: Path, passphrase: str) -> dict[str, Any]:
    """Write the archive to ``output``; returns its manifest."""
    url = settings.effective_database_url
    created = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    members: dict[str, bytes] = {}
    if url.startswith("postgres"):
        members["database.pgdump"] = _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
                                           "--dbname", libpq_url(url)], "pg_dump")
        database = "postgresql"
    else:
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / "copy.sqlite"
            source, target = sqlite3.connect(_sqlite_path(url)), sqlite3.connect(copy)
            with target:
                source.backup(target)
            source.close()
            target.close()
            members["database.sqlite"] = copy.read_bytes()
        database = "sqlite"
    context = f"saathi-backup/{FORMAT}/{created}".encode()
    members["secrets.enc"], kdf = seal_secrets(_secrets_of(settings), passphrase, context)
    records = settings.effective_records_dir
    if not settings.s3_bucket and records.is_dir():
        for path in sorted(p for p in records.rglob("*") if p.is_file()):
            members[f"records/{path.relative_to(records).as_posix()}"] = path.read_bytes()
    manifest = {"format": FORMAT, "created": created, "database": database, "key_provider": settings.key_provider,
                "secrets_kdf": kdf, "sha256": {name: hashlib.sha256(data).hexdigest() for name, data in members.items()}}
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    with tarfile.open(partial, "w") as archive:
        for name, data in [("manifest.json", json.dumps(manifest, indent=2).encode()), *members.items()]:
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data), 0o600, int(dt.datetime.now().timestamp())
            archive.addfile(info, io.BytesIO(data))
    os.chmod(partial, 0o600)
    partial.replace(output)  # a half-written archive never has the final name
    return manifest


def _read(archive_path: Path) -> tuple[dict[str, Any], dict[str, bytes]]:
    with tarfile.open(archive_path, "r") as archive:
        members = {m.name: archive.extractfile(m).read() for m in archive.getmembers() if m.isfile()}  # type: ignore[union-attr]
    if "manifest.json" not in members:
        raise BackupError("not a Sehat Saathi backup (no manifest.json)")
    manifest = json.loads(members.pop("manifest.json"))
    if manifest.get("format") != FORMAT:
        raise BackupError(f"backup format {manifest.get('format')} is not {FORMAT}")
    if set(members) != set(manifest["sha256"]):
        raise BackupError("the archive's members differ from its manifest")
    for name, data in members.items():
        if hashlib.sha256(data).hexdigest() != manifest["sha256"][name] or ".." in Path(name).parts:
            raise BackupError(f"{name} is damaged (its SHA-256 differs from the manifest)")
    return manifest, members


def _database_is_empty(url: str) -> bool:
    from sqlalchemy import create_engine, inspect
    from sqlalchemy.pool import NullPool

    if not url.startswith("postgres"):
        path = _sqlite_path(url)
        return not path.exists() or path.stat().st_size == 0
    engine = create_engine(url, poolclass=NullPool)
    try:
        return not inspect(engine).get_table_names()
    finally:
        engine.dispose()


def restore(settings: Any, archive_path: Path, passphrase: str) -> Restored:
    """Restore ``archive_path`` into the configured, empty database and var/ (checks first, then writes)."""
    manifest, members = _read(archive_path)
    context = f"saathi-backup/{FORMAT}/{manifest['created']}".encode()
    secrets = open_secrets(members["secrets.enc"], manifest["secrets_kdf"], passphrase, context)
    url = settings.effective_database_url
    kind = "postgresql" if url.startswith("postgres") else "sqlite"
    if kind != manifest["database"]:
        raise BackupError(f"the backup holds a {manifest['database']} database, DATABASE_URL is {kind}")
    if not _database_is_empty(url):
        raise BackupError("the target database already has tables: restore into an empty database")
    writes = {settings.var_dir / "keys" / name: text for name, text in secrets["var_keys"].items()}
    if secrets.get("master_key_file") is not None:
        writes[settings.effective_master_key_file] = secrets["master_key_file"]
    for path, text in writes.items():
        if path.exists() and path.read_text() != text:
            raise BackupError(f"{path} exists and differs from the backup's: move it away first")
    if secrets.get("env") and settings.key_provider == "env":
        missing = [n for n, v in secrets["env"].items() if v and not _keys_cover(os.environ.get(n, ""), v, n)]
        if missing:
            raise BackupError(f"the environment lacks keys the backup was sealed with: set {', '.join(missing)} "
                              "as they were (the values are in the backup's secrets)")
    if kind == "postgresql":
        with tempfile.TemporaryDirectory() as tmp:
            dump = Path(tmp) / "database.pgdump"
            dump.write_bytes(members["database.pgdump"])
            _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--dbname", libpq_url(url),
                  str(dump)], "pg_restore")
    else:
        target = _sqlite_path(url)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(members["database.sqlite"])
    for path, text in writes.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        os.chmod(path, 0o600)
    records = settings.effective_records_dir
    files = {name: data for name, data in members.items() if name.startswith("records/")}
    for name, data in files.items():
        target = records / name.removeprefix("records/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return Restored(manifest["database"], len(writes), len(files))


def _keys_cover(current: str, backed_up: str, name: str) -> bool:
    """Whether the environment's value holds what the backup's did (every key id, for the master keys)."""
    if name != "SAATHI_MASTER_KEYS":
        return current == backed_up
    pairs = {item.strip() for item in current.split(",") if item.strip()}
    return {item.strip() for item in backed_up.split(",") if item.strip()} <= pairs


def default_output(settings: Any) -> Path:
    return settings.var_dir / "backups" / f"saathi-{dt.datetime.now(dt.timezone.utc):%Y%m%dT%H%M%SZ}.tar"

