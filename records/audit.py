"""The audit log: who did what to whose health data, when and why; append-only, hash-chained.

Each entry's hash is ``sha256(previous hash || canonical fields)``, so editing, deleting or
re-ordering any entry breaks every later link and :func:`verify` reports the first bad entry.
Appends are serialised (an advisory lock on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite) and the
append is the last statement of the caller's transaction, so the lock is held only until commit.

The subject (patient) is never written in clear: ``subject_tag`` is an HMAC under the patient's
data key and ``detail_enc`` is sealed with it. After crypto-shredding both become meaningless, so
the log keeps only *that* something happened.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from records.crypto import DataKey
from records.models import AuditEntry, utcnow

GENESIS = b"\x00" * 32
_LOCK_KEY = 0x5EA7_A0D1  # pg_advisory_xact_lock key of the audit chain
_TAG_LABEL = b"audit-subject"


def subject_tag(key: DataKey) -> bytes:
    return key.tag(_TAG_LABEL)


def _canonical_time(at: dt.datetime) -> str:
    if at.tzinfo is not None:
        at = at.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return at.isoformat(timespec="microseconds")


def entry_hash(prev: bytes, e: AuditEntry) -> bytes:
    fields = [
        _canonical_time(e.at),
        str(e.actor_id) if e.actor_id else "",
        e.actor_role,
        e.action,
        e.resource,
        e.purpose,
        e.outcome,
        e.subject_tag.hex() if e.subject_tag else "",
        e.detail_enc.blob.hex() if e.detail_enc is not None else "",
    ]
    return hashlib.sha256(prev + json.dumps(fields, separators=(",", ":")).encode()).digest()


def append(
    session: Session,
    *,
    actor_id: uuid.UUID | None,
    actor_role: str,
    action: str,
    resource: str,
    purpose: str,
    outcome: str = "ok",
    subject_key: DataKey | None = None,
    detail: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> AuditEntry:
    """Add one entry to the chain inside the caller's transaction (call it last, then commit)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
    prev = session.scalar(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)) or GENESIS
    entry = AuditEntry(
        at=(at or utcnow()).astimezone(dt.timezone.utc),
        actor_id=actor_id,
        actor_role=actor_role,
        action=action,
        resource=resource,
        purpose=purpose,
        outcome=outcome,
        subject_tag=subject_tag(subject_key) if subject_key else None,
        detail_enc=subject_key.seal(detail) if subject_key and detail is not None else None,
        prev_hash=prev,
    )
    entry.hash = entry_hash(prev, entry)
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_bad_id: int | None
    head_hash: str

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "checked": self.checked, "first_bad_id": self.first_bad_id,
                "head_hash": self.head_hash}


def verify(session: Session, *, batch: int = 5000) -> VerifyResult:
    """Walk the whole chain in id order. Note the head hash somewhere safe to detect truncation."""
    prev = GENESIS
    checked = 0
    stmt = select(AuditEntry).order_by(AuditEntry.id).execution_options(yield_per=batch)
    for entry in session.scalars(stmt):
        if entry.prev_hash != prev or entry_hash(prev, entry) != entry.hash:
            return VerifyResult(False, checked, entry.id, prev.hex())
        prev = entry.hash
        checked += 1
        session.expunge(entry)
    return VerifyResult(True, checked, None, prev.hex())


def entries_about(session: Session, key: DataKey) -> list[dict[str, Any]]:
    """The patient's own view of the log: who touched their records (decrypted details)."""
    rows = session.scalars(
        select(AuditEntry).where(AuditEntry.subject_tag == subject_tag(key)).order_by(AuditEntry.id)
    )
    return [
        {
            "at": r.at,
            "actor_id": r.actor_id,
            "actor_role": r.actor_role,
            "action": r.action,
            "resource": r.resource,
            "purpose": r.purpose,
            "outcome": r.outcome,
            "detail": key.open(r.detail_enc) if r.detail_enc is not None else None,
        }
        for r in rows
    ]
