"""Per-person data keys in the database, wrapped by the :class:`KeyProvider`; rotation; shredding.

Unwrapped keys are cached in memory (bounded LRU) so a busy bot does not call the provider (which
may be a remote KMS) on every message.
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from records.crypto import DataKey, KeyProvider, KeyShredded, new_data_key
from records.models import DataKeyRow, utcnow


@dataclass
class RotationReport:
    new_master_key_id: str
    rewrapped: int = 0
    remaining: dict[str, int] = field(default_factory=dict)
    retired: list[str] = field(default_factory=list)


class Vault:
    """Creates, unwraps, caches, re-wraps and destroys data keys."""

    def __init__(self, provider: KeyProvider, cache_size: int = 4096) -> None:
        self.provider = provider
        self._cache: OrderedDict[uuid.UUID, DataKey] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def _remember(self, user_id: uuid.UUID, key: DataKey) -> None:
        with self._lock:
            self._cache[user_id] = key
            self._cache.move_to_end(user_id)
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)

    def create(self, session: Session, user_id: uuid.UUID) -> DataKey:
        key = new_data_key()
        kid, wrapped = self.provider.wrap(key.key, key.id)
        session.add(DataKeyRow(id=key.id, user_id=user_id, master_key_id=kid, wrapped=wrapped))
        self._remember(user_id, key)
        return key

    def for_user(self, session: Session, user_id: uuid.UUID) -> DataKey:
        with self._lock:
            key = self._cache.get(user_id)
        if key is not None:
            return key
        row = session.scalar(select(DataKeyRow).where(DataKeyRow.user_id == user_id))
        if row is None:
            raise KeyShredded("no data key: the person does not exist or was deleted")
        key = DataKey(row.id, self.provider.unwrap(row.master_key_id, row.wrapped, row.id))
        self._remember(user_id, key)
        return key

    def shred(self, session: Session, user_id: uuid.UUID) -> None:
        """Destroy the wrapped key (crypto-shredding); the caller commits."""
        session.execute(delete(DataKeyRow).where(DataKeyRow.user_id == user_id))
        self.forget(user_id)

    def forget(self, user_id: uuid.UUID) -> None:
        with self._lock:
            self._cache.pop(user_id, None)

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
                    plain = self.provider.unwrap(row.master_key_id, row.wrapped, row.id)
                    kid, wrapped = self.provider.wrap(plain, row.id)
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
