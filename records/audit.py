"""The audit log: who did what to whose health data, when and why; append-only, hash-chained.

Each entry's hash is ``sha256(previous hash || canonical fields)``, so editing, deleting or
re-ordering any entry breaks every later link and :func:`verify` reports the first bad entry.
Table ``audit_heads`` holds the newest hash of each chain, so cutting entries off the end of a
chain is caught too (unless the attacker also rewrites the heads; keep the fingerprint
:func:`verify` prints somewhere else to catch that).

Why several chains: appending must be serialised (take the previous hash, insert, commit), and on
PostgreSQL a commit waits for the disk, so one chain would cap the whole service at one write per
fsync. The log is therefore :data:`CHAINS` interleaved chains (column ``chain``); a transaction
extends one, picked at random, under that chain's head-row lock. Every entry still carries the
previous entry's hash *of its chain*; :func:`verify` checks all of them.

On PostgreSQL an append is one statement: ``UPDATE audit_heads ... RETURNING`` (row lock, the
previous hash and ``sha256(prev || fields)`` computed by the server) feeding the ``INSERT``. On
SQLite every transaction starts with ``BEGIN IMMEDIATE`` (records.db), which serialises it, and the
same steps run from Python. The append is the caller's last statement, so the lock is held only
until commit.

The subject (patient) is never written in clear: ``subject_tag`` is an HMAC under the patient's
data key and ``detail_enc`` is sealed with it. After crypto-shredding both become meaningless, so
the log keeps only *that* something happened.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import DateTime, LargeBinary, Uuid, bindparam, insert, select, text, update
from sqlalchemy.orm import Session

from records.crypto import DataKey, Sealed
from records.models import AuditEntry, AuditHead, utcnow

GENESIS = b"\x00" * 32
#: number of parallel chains; the initial migration seeds one audit_heads row per chain
CHAINS = 16
_TAG_LABEL = b"audit-subject"
_HASHED = ("at", "chain", "actor_id", "actor_role", "action", "resource", "purpose", "outcome",
           "subject_tag", "detail_enc")
_COLUMNS = ", ".join(_HASHED)
_PG_APPEND = text(
    "WITH h AS (UPDATE audit_heads SET prev = hash, hash = sha256(hash || :canon) "
    "WHERE chain = :chain RETURNING prev, hash) "
    f"INSERT INTO audit_log ({_COLUMNS}, prev_hash, hash) "
    f"SELECT {', '.join(':' + c for c in _HASHED)}, h.prev, h.hash FROM h RETURNING hash"
).bindparams(
    bindparam("canon", type_=LargeBinary), bindparam("at", type_=DateTime(timezone=True)),
    bindparam("actor_id", type_=Uuid), bindparam("subject_tag", type_=LargeBinary),
    bindparam("detail_enc", type_=LargeBinary),
)


class AuditError(RuntimeError):
    """The audit log could not be written (e.g. its heads were never seeded)."""


def subject_tag(key: DataKey) -> bytes:
    return key.tag(_TAG_LABEL)


def _canonical_time(at: dt.datetime) -> str:
    if at.tzinfo is not None:
        at = at.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return at.isoformat(timespec="microseconds")


def _canonical(name: str, value: Any) -> Any:
    if value is None:
        return ""
    if name == "at":
        return _canonical_time(value)
    if isinstance(value, Sealed):
        return value.blob.hex()
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def canonical_bytes(fields: Any) -> bytes:
    """The bytes an entry's hash covers (besides the previous hash)."""
    return json.dumps([_canonical(n, fields[n]) for n in _HASHED], separators=(",", ":")).encode()


def entry_hash(prev: bytes, fields: Any) -> bytes:
    """``sha256(prev || canonical fields)``; ``fields`` is a row mapping or a dict."""
    return hashlib.sha256(prev + canonical_bytes(fields)).digest()


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
) -> bytes:
    """Add one entry inside the caller's transaction (call it last, then commit); returns its hash."""
    row: dict[str, Any] = {
        "at": (at or utcnow()).astimezone(dt.timezone.utc),
        "chain": secrets.randbelow(CHAINS),
        "actor_id": actor_id,
        "actor_role": actor_role,
        "action": action,
        "resource": resource,
        "purpose": purpose,
        "outcome": outcome,
        "subject_tag": subject_tag(subject_key) if subject_key else None,
        "detail_enc": subject_key.seal(detail).blob if subject_key and detail is not None else None,
    }
    if session.get_bind().dialect.name == "postgresql":
        new = session.execute(_PG_APPEND, {**row, "canon": canonical_bytes(row)}).scalar()
    else:
        prev = session.scalar(select(AuditHead.hash).where(AuditHead.chain == row["chain"]))
        new = None if prev is None else entry_hash(prev, row)
        if new is not None:
            session.execute(update(AuditHead).where(AuditHead.chain == row["chain"]).values(prev=prev, hash=new))
            session.execute(insert(AuditEntry.__table__),
                            [{**row, "detail_enc": Sealed(row["detail_enc"]) if row["detail_enc"] else None,
                              "prev_hash": prev, "hash": new}])
    if new is None:
        raise AuditError("audit_heads is not seeded; run `saathi db upgrade`")
    return bytes(new)


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_bad_id: int | None
    head_hash: str
    #: chains whose newest entry is not the one audit_heads remembers (entries cut off the end)
    truncated_chains: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "checked": self.checked, "first_bad_id": self.first_bad_id,
                "head_hash": self.head_hash, "truncated_chains": self.truncated_chains}


def verify(session: Session, *, batch: int = 5000) -> VerifyResult:
    """Walk every chain in id order, then compare each chain's end with ``audit_heads``."""
    heads: dict[int, bytes] = {}
    checked = 0
    stmt = select(AuditEntry.__table__).order_by(AuditEntry.id).execution_options(yield_per=batch)
    for row in session.execute(stmt).mappings():
        prev = heads.get(row["chain"], GENESIS)
        if bytes(row["prev_hash"]) != prev or entry_hash(prev, row) != bytes(row["hash"]):
            return VerifyResult(False, checked, row["id"], _fingerprint(heads))
        heads[row["chain"]] = bytes(row["hash"])
        checked += 1
    stored = {c: bytes(h) for c, h in session.execute(select(AuditHead.chain, AuditHead.hash))}
    truncated = sorted(c for c in stored if stored[c] != heads.get(c, GENESIS))
    return VerifyResult(not truncated, checked, None, _fingerprint(heads), truncated)


def _fingerprint(heads: dict[int, bytes]) -> str:
    """One hash of all chain heads, to write down after each verification."""
    return hashlib.sha256(b"".join(heads[c] for c in sorted(heads))).hexdigest()


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
