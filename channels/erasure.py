"""What the gateway forgets of a patient whose erasure ("delete my data") the bot confirmed.

The records go in the action server (``records.RecordsService.delete_patient``) and the
conversation in Rasa's tracker store (``bot/tracker_store.py``); what only the gateway holds goes
here, in the same turn, as soon as the bot's reply carries ``records_deleted``
(issue #14, finding 3):

* every key of its store that names the sender (Redis ``saathi:gw:*`` or the in-memory store):
  the remembered language, rate-limit counters, last inbound channel, a pending voice-note
  transcript, the medicines of a recent photo, the simulator's outbox, the uploads list …;
* the photos and voice notes that sender uploaded (simulator uploads, listed under ``uploads:``);
* queued or failed RQ jobs whose payload is this sender's (a photo or voice note waiting to be
  read, an emergency notice), which hold their phone number and media links;
* messages still waiting for Rasa (``channels.backlog``), when the erasure was itself one of them;
* with a SQL tracker store, any tracker event of the conversation still there (a second pass:
  Rasa's fail-safe wrapper hides a failed deletion in the tracker store); if that fails as well,
  the patient is told that the records are deleted but the messages are not yet
  (``records_deleted_messages_kept``), never that everything went.

Rasa's lock store key for the conversation is removed by Rasa itself when the turn's lock is
released. Log lines carry counts only.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

#: The bot's confirmation of an erasure (data/messages/records.yml; actions.health_record).
ERASED_KEY = "records_deleted"
#: What the patient reads instead when the conversation could not be deleted (the records are gone).
PARTLY_ERASED_KEY = "records_deleted_messages_kept"
ERASURE_KEYS = (ERASED_KEY, PARTLY_ERASED_KEY)


def uploads_key(sender: str) -> str:
    return f"uploads:{sender}"


def remember_upload(gateway: Any, sender: str, name: str) -> None:
    """Notes a file this sender uploaded, so that erasure finds it (kept as long as the file)."""
    names = list(gateway.store.get(uploads_key(sender)) or [])
    ttl = int(gateway.settings.media_days * 86400) or None
    gateway.store.set(uploads_key(sender), [*names, name][-200:], ttl=ttl)


def _delete_uploads(folder: Path, names: list[str]) -> int:
    deleted = 0
    for name in names:
        path = folder / str(name)
        if "/" in str(name) or ".." in str(name) or path.is_symlink() or not path.is_file():
            continue
        path.unlink(missing_ok=True)
        deleted += 1
    return deleted


def forget(gateway: Any, sender: str) -> dict[str, int]:
    """Erases the gateway's traces of ``sender``; counts by kind. With a SQL tracker store it also
    deletes the conversation's events itself (normally none are left: see
    :func:`engine.transcripts.erase_conversation`); that failing raises, so the caller can say so."""
    uploads = _delete_uploads(gateway.media_dir / "uploads", list(gateway.store.get(uploads_key(sender)) or []))
    counts = {"uploads": uploads, "keys": gateway.store.forget(sender),
              "jobs": gateway.jobs.forget(sender, gateway.settings.sender_salt),
              "waiting": gateway.backlog.forget(sender)}
    if gateway.settings.tracker_store_url:
        from engine.transcripts import erase_conversation

        counts["tracker events left by Rasa"] = erase_conversation(gateway.settings.tracker_store_url, sender)
    log.info("erasure: the gateway forgot %s", ", ".join(f"{n} {kind}" for kind, n in counts.items()))
    return counts
