"""A patient's FHIR export, delivered by a one-time link and deleted after download or a day.

Why: the export is the patient's whole record in clear (the FHIR bundle). Written to disk and
never collected, every "export my data" left another copy for a stolen disk or backup to give
away. Now the action server writes it here, the patient gets a link (served by the gateway,
``/exports/<language>/<token>``), and the file goes on the first download or after
``SAATHI_EXPORT_LINK_HOURS`` (24), whichever comes first:

* the token (192 random bits) is only in the link; the file is named by its SHA-256, so someone
  who can list ``var/exports/`` cannot build a working link from what they see;
* a download renames the file first (one atomic ``rename``: of two requests only one gets it),
  then reads and deletes it;
* expiry is checked on every download (the link is dead at the hour, whatever the sweep does),
  and :func:`purge` deletes expired files on the gateway's hourly timer and ``saathi media prune``.

Files live in one folder per patient (``var/exports/<patient id>/``) so that "delete my data"
removes them with the rest (actions/health_record.py). Plain Python: no Flask here.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import secrets
import stat
import uuid
from pathlib import Path
from typing import Any

#: what a token looks like in a URL (``secrets.token_urlsafe(24)``)
TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")
_SUFFIX = ".json"


def exports_dir(var_dir: Path) -> Path:
    return Path(var_dir) / "exports"


def patient_folder(var_dir: Path, patient_id: uuid.UUID) -> Path:
    """Where one patient's exports wait: one folder per patient, so erasure finds them."""
    return exports_dir(var_dir) / patient_id.hex


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def write(var_dir: Path, patient_id: uuid.UUID, bundle: dict[str, Any]) -> str:
    """Store ``bundle`` (0600) and return the one-time token for its link."""
    token = secrets.token_urlsafe(24)
    folder = patient_folder(var_dir, patient_id)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / f"{_digest(token)}{_SUFFIX}"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(bundle, out, ensure_ascii=False)
    return token


def _expired(mtime: float, now: dt.datetime, hours: float) -> bool:
    return hours > 0 and mtime < (now - dt.timedelta(hours=hours)).timestamp()


def take(var_dir: Path, token: str, *, hours: float, now: dt.datetime | None = None) -> bytes | None:
    """The export behind ``token``, deleted as it is handed over; None when the token is unknown,
    already used or expired (an expired file is deleted here too)."""
    if not TOKEN.match(token):
        return None
    now = now or dt.datetime.now(dt.timezone.utc)
    root = exports_dir(var_dir)
    name = f"{_digest(token)}{_SUFFIX}"
    if not root.is_dir() or root.is_symlink():
        return None
    for folder in root.iterdir():
        path = folder / name
        if folder.is_symlink() or not folder.is_dir() or not path.is_file() or path.is_symlink():
            continue
        taken = path.with_name(f"{name}.{secrets.token_hex(4)}.taking")
        try:
            os.rename(path, taken)  # the one download that gets it; a second request finds nothing
        except FileNotFoundError:
            return None
        try:
            if _expired(taken.stat().st_mtime, now, hours):
                return None
            return taken.read_bytes()
        finally:
            taken.unlink(missing_ok=True)
    return None


def purge(var_dir: Path, *, hours: float, now: dt.datetime | None = None) -> int:
    """Delete exports older than ``hours`` (and empty patient folders); returns files deleted.
    Regular files only, links never followed (like channels/retention.py)."""
    if hours <= 0:
        return 0
    now = now or dt.datetime.now(dt.timezone.utc)
    root = exports_dir(var_dir)
    if root.is_symlink() or not root.is_dir():
        return 0
    deleted = 0
    for folder in root.iterdir():
        if folder.is_symlink() or not folder.is_dir():
            continue
        for entry in folder.iterdir():
            try:
                info = entry.lstat()
            except FileNotFoundError:
                continue
            if stat.S_ISREG(info.st_mode) and _expired(info.st_mtime, now, hours):
                entry.unlink(missing_ok=True)
                deleted += 1
        with contextlib.suppress(OSError):
            folder.rmdir()  # only when empty
    return deleted
