"""Rasa tracker stores that forget: a conversation is erased in the save of the turn in which the
patient's erasure was confirmed, and (in memory) conversations idle past the retention go.

Loaded by Rasa (Python 3.10, ``.venv-rasa``) from the ``tracker_store`` of the endpoints file that
``saathi up`` writes (``saathi.services.endpoints_yaml``): :class:`ErasingSQLTrackerStore` with
``TRACKER_STORE_URL`` (PostgreSQL, production), :class:`ErasingInMemoryTrackerStore` otherwise.
It lives in ``bot/`` (Rasa's side of the project) and not in ``nlu/`` because it shapes no model:
``nlu/`` is part of the trained model's hash, this file is not.

Why the tracker store does the erasure (issue #14, finding 3), not another process:

* the action server, which deletes the records, cannot reach Rasa's tracker, and the events of
  the very turn that confirms the erasure (the patient's "yes", the bot's "deleted") are written
  by Rasa *after* the action returns — a job deleting rows from the events table afterwards
  would race with that write and leave the last turn behind, and needs a second path to the
  in-memory store of ``make run``;
* every save passes through here, under Rasa's per-conversation lock (Redis with several
  workers), for both stores. So when the turn being saved carries the bot's confirmation
  (``records_deleted``, which ``actions.health_record.delete_records`` sends only after the
  records are gone), the store deletes every stored event of that conversation instead of
  saving it, and the patient's next message starts an empty conversation.

Rasa wraps every tracker store in its ``FailSafeTrackerStore``, which logs a failed save and
keeps the tracker in memory instead, so a deletion the database refused would not stop the
confirmation. The gateway therefore deletes the conversation's rows once more itself after the
turn (``channels.erasure.forget``, normally 0 rows) and, if that fails too, replaces the
confirmation with ``records_deleted_messages_kept`` (records deleted, messages not yet).

Retention of the SQL store's events (``SAATHI_TRANSCRIPT_RETENTION_DAYS``) is a scheduled job of
the gateway (``engine.transcripts``), which works without any traffic; the in-memory store, which
no other process can reach, drops conversations idle for longer than ``retention_days`` itself,
at most once an hour, when it saves.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from rasa.core.tracker_store import InMemoryTrackerStore, SQLTrackerStore
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

log = logging.getLogger(__name__)

#: The catalogue key of the bot's "your data has been deleted" (data/messages/records.yml).
ERASED_KEY = "records_deleted"
PRUNE_EVERY_SECONDS = 3600.0


def erasure_confirmed(tracker: DialogueStateTracker) -> bool:
    """Whether the bot confirmed an erasure in the turn being saved (since the user last spoke)."""
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return False
        if isinstance(event, BotUttered) and ((event.data or {}).get("custom") or {}).get("key") == ERASED_KEY:
            return True
    return False


class ErasingSQLTrackerStore(SQLTrackerStore):
    """Rasa's SQL tracker store; a confirmed erasure deletes the conversation's rows."""

    def __init__(self, domain: Any = None, retention_days: float = 0, **kwargs: Any) -> None:
        super().__init__(domain, **kwargs)
        self.retention_days = float(retention_days or 0)  # applied by engine.transcripts (see above)

    async def save(self, tracker: DialogueStateTracker) -> None:
        if erasure_confirmed(tracker):
            self.erase(tracker.sender_id)
            return
        await super().save(tracker)

    def erase(self, sender_id: str) -> int:
        """Deletes every event of ``sender_id``; how many rows went (errors propagate to Rasa)."""
        with self.session_scope() as session:
            deleted = session.query(self.SQLEvent).filter(self.SQLEvent.sender_id == sender_id).delete(
                synchronize_session=False)
            session.commit()
        log.info("erased a conversation (%d events)", deleted)
        return deleted


class ErasingInMemoryTrackerStore(InMemoryTrackerStore):
    """Rasa's in-memory tracker store (embedded ``make run``) with erasure and retention."""

    def __init__(self, domain: Any = None, retention_days: float = 0, **kwargs: Any) -> None:
        super().__init__(domain, **kwargs)
        self.retention_days = float(retention_days or 0)
        self._last_seen: dict[str, float] = {}
        self._pruned_at = 0.0

    async def save(self, tracker: DialogueStateTracker) -> None:
        if erasure_confirmed(tracker):
            self.store.pop(tracker.sender_id, None)
            self._last_seen.pop(tracker.sender_id, None)
            log.info("erased a conversation")
            return
        await super().save(tracker)
        self._last_seen[tracker.sender_id] = time.time()
        self.prune()

    def prune(self, now: float | None = None) -> int:
        """Drops conversations idle for longer than the retention (at most once an hour)."""
        now = time.time() if now is None else now
        if self.retention_days <= 0 or now - self._pruned_at < PRUNE_EVERY_SECONDS:
            return 0
        self._pruned_at = now
        cutoff = now - self.retention_days * 86400
        idle = [sender for sender, seen in self._last_seen.items() if seen < cutoff]
        for sender in idle:
            self.store.pop(sender, None)
            self._last_seen.pop(sender, None)
        return len(idle)
