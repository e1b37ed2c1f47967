"""Retention of the files the gateway keeps under the var dir: uploaded media and generated speech.

Why: a photo of a prescription, a voice note and the audio of a voice reply are health data; they
are needed for minutes (Twilio fetches our links right after we send them, the OCR and speech jobs
read an upload once), so keeping them for ever only grows what a stolen disk gives away.

* ``channels/uploads`` (photos and voice notes uploaded through the simulator page):
  deleted after ``SAATHI_MEDIA_DAYS`` (default 7).
* ``channels/tts`` (synthesised speech): only a cache — a missing file is synthesised again on
  the next use — but WhatsApp voice replies speak the patient's own health text, so it gets a
  shorter default, ``SAATHI_TTS_CACHE_DAYS`` (default 2). A cache hit refreshes the file's time
  (:func:`channels.tts_cache.speech_file`), so the IVR's fixed prompts stay warm while in use.

* ``exports`` (FHIR exports waiting for their one-time link, engine/exports.py): deleted once
  ``SAATHI_EXPORT_LINK_HOURS`` (24) old, by this sweep and by an hourly timer of their own.

Run at gateway start and then every few hours by a daemon timer in the gateway (the files live on
the gateway's disk, with or without Redis), and by hand with ``saathi media prune``.

Safety: only regular files directly inside those two folders, whose modification time is older
than the cut-off, are deleted. Symbolic links are never followed or removed, and a folder that is
a link, or resolves outside the var dir, is skipped whole. Log lines carry counts only.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.periodic import Periodic

log = logging.getLogger(__name__)
INTERVAL = dt.timedelta(hours=6)
EXPORT_INTERVAL = dt.timedelta(hours=1)


@dataclass(frozen=True)
class Area:
    folder: str   # relative to the var dir
    days: float


def areas(settings: Any) -> list[Area]:
    return [Area("channels/uploads", settings.media_days), Area("channels/tts", settings.tts_cache_days)]


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve(strict=True).relative_to(root.resolve(strict=True))
        return True
    except (OSError, ValueError):
        return False


def prune_folder(var_dir: Path, area: Area, now: dt.datetime) -> int:
    """Delete the old regular files directly inside ``var_dir/area.folder``; returns how many."""
    if area.days <= 0:  # 0 or less: keep for ever (documented)
        return 0
    root = Path(var_dir)
    folder = root / area.folder
    current = root
    for part in Path(area.folder).parts:  # no link anywhere on the way: it could point anywhere
        current = current / part
        if current.is_symlink():
            log.warning("retention: %s is a symbolic link; skipped", area.folder)
            return 0
    if not folder.is_dir() or not _inside(folder, root):
        return 0
    cutoff = (now - dt.timedelta(days=area.days)).timestamp()
    deleted = 0
    with os.scandir(folder) as entries:
        for entry in entries:
            try:
                info = entry.stat(follow_symlinks=False)
            except FileNotFoundError:
                continue
            if not stat.S_ISREG(info.st_mode) or info.st_mtime >= cutoff:
                continue  # links, folders, sockets and new files stay
            try:
                os.unlink(os.path.join(folder, entry.name))
                deleted += 1
            except FileNotFoundError:
                pass
    return deleted


def prune(settings: Any, now: dt.datetime | None = None) -> dict[str, int]:
    """One sweep over every area, and the expired FHIR exports; returns deleted counts by folder."""
    now = now or dt.datetime.now(dt.timezone.utc)
    counts = {area.folder: prune_folder(Path(settings.var_dir), area, now) for area in areas(settings)}
    counts["exports"] = purge_exports(settings, now)
    if any(counts.values()):
        log.info("retention: deleted %s", ", ".join(f"{n} in {f}" for f, n in counts.items()))
    return counts


def purge_exports(settings: Any, now: dt.datetime | None = None) -> int:
    """FHIR exports whose one-time link expired (engine/exports.py); returns files deleted."""
    from engine.exports import purge

    return purge(Path(settings.var_dir), hours=settings.export_link_hours, now=now)


def export_purge_timer(settings: Any, interval: dt.timedelta = EXPORT_INTERVAL) -> Periodic:
    """Expired exports go now and every hour (a day's link must not leave a file for six more)."""
    return Periodic("export purge", interval, lambda: purge_exports(settings), first_now=True)


def prune_timer(settings: Any, interval: dt.timedelta = INTERVAL,
                clock: Callable[[], dt.datetime] | None = None) -> Periodic:
    """Prunes now and then every ``interval`` on a daemon thread (the gateway process)."""
    now = clock or (lambda: dt.datetime.now(dt.timezone.utc))
    return Periodic("media retention sweep", interval, lambda: prune(settings, now()), first_now=True)
