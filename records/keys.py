"""Per-person data keys in the database, wrapped by the :class:`KeyProvider`; rotation; shredding.

Unwrapped keys are cached in memory (bounded LRU) so a busy bot does not call the provider (which
may be a remote KMS) on every message.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from records.crypto import BOUND_WRAP, CryptoError, DataKey, KeyProvider, KeyShredded, new_data_key
from records.models import DataKeyRow, utcnow


@dataclass
class RotationReport:
    new_master_key_id: str
    rewrapped: int = 0
    remaining: dict[str, int] = field(default_factory=dict)
    retired: list[str] = field(default_factory=list)


#: How long a key still wrapped under the legacy context is cached (seconds): another process
#: re-seals its person (records.resealing) and re-wraps it as bound; this one must stop accepting
#: that person's version-1 values soon after, not at its next restart.
LEGACY_KEY_TTL = 60.0


class Vault:
    """Creates, unwraps, caches, re-wraps and destroys data keys."""

    def __init__(self, provider: KeyProvider, cache_size: int = 4096, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.provider = provider
        self._cache: OrderedDict[uuid.UUID, DataKey] = OrderedDict()
        self._legacy_until: dict[uuid.UUID, float] = {}
        self._cache_size = cache_size
        self._clock = clock
        self._lock = threading.Lock()

    def _remember(self, user_id: uuid.UUID, key: DataKey) -> None:
        with self._lock:
            self._cache[user_id] = key
            self._cache.move_to_end(user_id)
            if key.unbound_ok:
                self._legacy_until[user_id] = self._clock() + LEGACY_KEY_TTL
            else:
                self._legacy_until.pop(user_id, None)
            while len(self._cache) > self._cache_size:
                gone, _ = self._cache.popitem(last=False)
                self._legacy_until.pop(gone, None)

    def create(self, session: Session, user_id: uuid.UUID) -> DataKey:
        key = new_data_key(user_id)
        kid, wrapped = self.provider.wrap(key.key, key.id, BOUND_WRAP)
        session.add(DataKeyRow(id=key.id, user_id=user_id, master_key_id=kid, wrapped=wrapped))
        self._remember(user_id, key)
        return key

    def unwrap(self, row: Any) -> DataKey:
        """The row's key; ``unbound_ok`` when it is still wrapped under the legacy context (its
        person's values have not all been re-sealed for their place: records.resealing)."""
        try:
            plain = self.provider.unwrap(row.master_key_id, row.wrapped, row.id, BOUND_WRAP)
            return DataKey(row.id, plain, row.user_id)
        except CryptoError:
            plain = self.provider.unwrap(row.master_key_id, row.wrapped, row.id)
            return DataKey(row.id, plain, row.user_id, unbound_ok=True)

    def for_user(self, session: Session, user_id: uuid.UUID) -> DataKey:
        with self._lock:
            key = self._cache.get(user_id)
            if key is not None and key.unbound_ok and self._clock() > self._legacy_until.get(user_id, 0.0):
                key = None  # legacy: read its wrapping again, it may have been re-sealed meanwhile
        if key is not None:
            return key
        row = session.scalar(select(DataKeyRow).where(DataKeyRow.user_id == user_id))
        if row is None:
            raise KeyShredded("no data key: the person does not exist or was deleted")
        key = self.unwrap(row)
        self._remember(user_id, key)
        return key

    def shred(self, session: Session, user_id: uuid.UUID) -> None:
        """Destroy the wrapped key (crypto-shredding); the caller commits."""
        session.execute(delete(DataKeyRow).where(DataKeyRow.user_id == user_id))
        self.forget(user_id)

    def forget(self, user_id: uuid.UUID) -> None:
        with self._lock:
            self._cache.pop(user_id, None)
            self._legacy_until.pop(user_id, None)

    def rewrap_all(self, sessions: sessionmaker[Session], *, batch: int = 500) -> RotationReport:
        """Re-wrap every data key not under the current master key, in short transactions.

        Safe while the service runs: rows are locked batch by batch (SKIP LOCKED on PostgreSQL),
        readers keep unwrapping with whichever master key a row names, and both keys stay in the
        provider until :meth:`remaining` is empty.
        """
        current = self.provider.current_key_id()
        report = RotationReport(current)
        while True:
            with sessions() as session:
                stmt = (
                    select(DataKeyRow)
                    .where(DataKeyRow.master_key_id != current)
                    .order_by(DataKeyRow.id)
                    .limit(batch)
                )
                if session.get_bind().dialect.name == "postgresql":
                    stmt = stmt.with_for_update(skip_locked=True)
                rows = list(session.scalars(stmt))
                if not rows:
                    break
                for row in rows:
                    key = self.unwrap(row)  # keeps the wrap context: a legacy key stays legacy
                    kid, wrapped = self.provider.wrap(key.key, row.id, b"" if key.unbound_ok else BOUND_WRAP)
                    row.master_key_id, row.wrapped, row.rewrapped_at = kid, wrapped, utcnow()
                session.commit()
                report.rewrapped += len(rows)
        with sessions() as session:
            report.remaining = self.remaining(session)
        return report

    @staticmethod
    def remaining(session: Session) -> dict[str, int]:
        """How many data keys each master key still wraps."""
        rows = session.execute(
            select(DataKeyRow.master_key_id, func.count()).group_by(DataKeyRow.master_key_id)
        )
        return {kid: n for kid, n in rows}
