"""The audit log: who did what to whose health data, when and why; append-only, HMAC-chained.

Each entry's hash is ``HMAC-SHA256(chain key, previous hash || canonical fields)``, so editing,
deleting or re-ordering any entry breaks every later link and :func:`verify` reports the first bad
entry. The chain key comes from the key provider (:func:`chain_key`), not from the database: a
database writer who rewrites an entry cannot recompute the links after it. (Until issue #14 the
links were a plain SHA-256, which such a writer could recompute; see "Older, unkeyed logs" below.)

Table ``audit_heads`` holds the newest hash of each chain, so cutting entries off the end of a
chain is caught too, unless the attacker also rewinds the heads to an earlier entry. To catch that,
export the heads elsewhere (``saathi audit head --json > anchor.json``: the fingerprint, the
entry count and every chain's head) and check later with ``saathi audit verify --anchor
anchor.json``: every anchored head must still be an entry of its chain.

Why several chains: appending must be serialised (take the previous hash, insert, commit), and on
PostgreSQL a commit waits for the disk, so one chain would cap the whole service at one write per
fsync. The log is therefore :data:`CHAINS` interleaved chains (column ``chain``); a transaction
extends one, picked at random, under that chain's head-row lock (``SELECT ... FOR UPDATE`` on
PostgreSQL, then one statement that moves the head and inserts the entry; on SQLite every
transaction starts with ``BEGIN IMMEDIATE``, see records.db). The MAC is computed here, not by the
server, so the key never travels to the database (where statement logging could record it). The
append is the caller's last statement, so the lock is held only until commit.

Older, unkeyed logs: entries written before the key existed carry ``sha256(prev || fields)``.
They are not rewritten (their hashes may already be anchored somewhere). Instead the data step of
migration ``0003`` (:func:`key_legacy_chains`) checks each chain under the old rule and appends one
keyed ``audit_keyed`` entry to it, whose HMAC covers the old chain's last hash. From then on
:func:`verify` accepts unkeyed entries only as a chain's *prefix* ending where a keyed entry
follows, and reports a chain whose newest entry is unkeyed (``unkeyed_chains``): rewriting the
old entries changes the hash the keyed entry covers, and a chain rewritten entirely under SHA-256
(keyed entries dropped) ends unkeyed. The step refuses once any keyed entry exists, so re-running
``saathi db upgrade`` cannot bless a forged chain; a writer who deletes *every* keyed entry and
then gets an operator to re-run the upgrade is caught only by an anchor taken earlier.

The subject (patient) is never written in clear: ``subject_tag`` is an HMAC under the patient's
data key and ``detail_enc`` is sealed with it. After crypto-shredding both become meaningless, so
the log keeps only *that* something happened.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import DateTime, LargeBinary, Uuid, bindparam, func, insert, select, text, update
from sqlalchemy.orm import Session

from records.crypto import DataKey, KeyProvider, Place, Sealed
from records.models import AuditEntry, AuditHead, utcnow
from records.types import place

GENESIS = b"\x00" * 32
#: number of parallel chains; the initial migration seeds one audit_heads row per chain
CHAINS = 16
_TAG_LABEL = b"audit-subject"
_KEY_NAMESPACE = "saathi:audit-chain"
_HASHED = ("at", "chain", "actor_id", "actor_role", "action", "resource", "purpose", "outcome",
           "subject_tag", "detail_enc")
_COLUMNS = ", ".join(_HASHED)
#: one statement: move the (locked) head and insert the entry
_PG_APPEND = text(
    "WITH h AS (UPDATE audit_heads SET prev = hash, hash = :new WHERE chain = :chain AND hash = :prev "
    "RETURNING prev) "
    f"INSERT INTO audit_log ({_COLUMNS}, prev_hash, hash) "
    f"SELECT {', '.join(':' + c for c in _HASHED)}, h.prev, :new FROM h RETURNING hash"
).bindparams(
    bindparam("prev", type_=LargeBinary), bindparam("new", type_=LargeBinary),
    bindparam("at", type_=DateTime(timezone=True)), bindparam("actor_id", type_=Uuid),
    bindparam("subject_tag", type_=LargeBinary), bindparam("detail_enc", type_=LargeBinary),
)
#: the action of the entry that closes an unkeyed (pre-HMAC) prefix of a chain
KEYED_MARKER = "audit_keyed"


class AuditError(RuntimeError):
    """The audit log could not be written (e.g. its heads were never seeded)."""


def chain_key(keys: KeyProvider) -> bytes:
    """The chain's HMAC key, derived through the provider's keyed digest.

    Why derived and not a new stored key: every provider (file, env, a KMS) already holds the
    lookup key and offers :meth:`KeyProvider.lookup_digest`, so nothing new has to be generated,
    backed up or configured, and the key is as secret as the phone-number lookup key. It is not
    rotated (that would mean re-chaining the log), like the lookup key itself.
    """
    return keys.lookup_digest(_KEY_NAMESPACE, "v1")


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


def entry_hash(key: bytes, prev: bytes, fields: Any) -> bytes:
    """``HMAC-SHA256(key, prev || canonical fields)``; ``fields`` is a row mapping or a dict."""
    return hmac.new(key, prev + canonical_bytes(fields), hashlib.sha256).digest()


def legacy_entry_hash(prev: bytes, fields: Any) -> bytes:
    """The unkeyed rule of entries written before the chain key: ``sha256(prev || fields)``.

    Only :func:`verify` (for a chain's prefix closed by a keyed entry) and
    :func:`key_legacy_chains` use it; nothing new is ever written with it."""
    return hashlib.sha256(prev + canonical_bytes(fields)).digest()


def detail_place(chain: int, at: dt.datetime) -> Place:
    """Where an entry's sealed detail belongs: its chain and time (the database makes the entry's
    id, after the detail is sealed)."""
    return place(AuditEntry, "detail_enc", (chain, at))


def append(
    session: Session,
    *,
    key: bytes,
    actor_id: uuid.UUID | None,
    actor_role: str,
    action: str,
    resource: str,
    purpose: str,
    outcome: str = "ok",
    subject_key: DataKey | None = None,
    detail: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
    chain: int | None = None,
) -> bytes:
    """Add one entry inside the caller's transaction (call it last, then commit); returns its hash.

    ``key`` is :func:`chain_key`; ``chain`` is picked at random unless given (the migration step
    closes each chain in turn)."""
    row: dict[str, Any] = {
        "at": (at or utcnow()).astimezone(dt.timezone.utc),
        "chain": secrets.randbelow(CHAINS) if chain is None else chain,
        "actor_id": actor_id,
        "actor_role": actor_role,
        "action": action,
        "resource": resource,
        "purpose": purpose,
        "outcome": outcome,
        "subject_tag": subject_tag(subject_key) if subject_key else None,
        "detail_enc": None,
    }
    if subject_key is not None and detail is not None:
        row["detail_enc"] = subject_key.seal(detail, detail_place(row["chain"], row["at"])).blob
    if session.get_bind().dialect.name == "postgresql":
        return _append_pg(session, key, row)
    prev = session.scalar(select(AuditHead.hash).where(AuditHead.chain == row["chain"]))
    if prev is None:
        raise AuditError("audit_heads is not seeded; run `saathi db upgrade`")
    prev = bytes(prev)
    new = entry_hash(key, prev, row)
    session.execute(update(AuditHead).where(AuditHead.chain == row["chain"]).values(prev=prev, hash=new))
    session.execute(insert(AuditEntry.__table__),
                    [{**row, "detail_enc": Sealed(row["detail_enc"]) if row["detail_enc"] else None,
                      "prev_hash": prev, "hash": new}])
    return new


def _append_pg(session: Session, key: bytes, row: dict[str, Any]) -> bytes:
    """Lock and read the chain's head, compute the MAC here, then move the head and insert the
    entry in one statement: two round trips under the head-row lock.

    Tried and dropped (bench/records.py, 20 threads on 2 cores): an optimistic compare-and-set
    without the lock (a lost race turns into a re-read while PostgreSQL keeps the row locked,
    slower under contention), and guessing the head from this process's last append (more lost
    races). Computing the MAC in the server would mean sending it the key."""
    prev = session.scalar(select(AuditHead.hash).where(AuditHead.chain == row["chain"]).with_for_update())
    if prev is None:
        raise AuditError("audit_heads is not seeded; run `saathi db upgrade`")
    prev = bytes(prev)
    new = entry_hash(key, prev, row)
    session.execute(_PG_APPEND, {**row, "prev": prev, "new": new})
    return new


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_bad_id: int | None
    head_hash: str
    #: chains whose newest entry is not the one audit_heads remembers (entries cut off the end)
    truncated_chains: list[int] = field(default_factory=list)
    #: chains whose newest entry is unkeyed (never closed by migration 0003, or rewritten under SHA-256)
    unkeyed_chains: list[int] = field(default_factory=list)
    #: chains whose anchored head (``--anchor``) is no longer one of their entries
    unanchored_chains: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "checked": self.checked, "first_bad_id": self.first_bad_id,
                "head_hash": self.head_hash, "truncated_chains": self.truncated_chains,
                "unkeyed_chains": self.unkeyed_chains, "unanchored_chains": self.unanchored_chains}


def verify(session: Session, key: bytes, *, anchor: dict[int, bytes] | None = None,
           batch: int = 5000) -> VerifyResult:
    """Walk every chain in id order, then compare each chain's end with ``audit_heads``.

    Per chain, entries may follow the old unkeyed rule only until the first keyed entry; every
    entry after it must be keyed, and the newest must be keyed. ``anchor`` (chain -> head hash from
    an earlier :func:`head`) adds: each anchored head must be met while walking its chain."""
    heads: dict[int, bytes] = {}
    keyed: set[int] = set()
    pending = dict(anchor or {})
    checked = 0
    stmt = select(AuditEntry.__table__).order_by(AuditEntry.id).execution_options(yield_per=batch)
    for row in session.execute(stmt).mappings():
        chain = row["chain"]
        prev = heads.get(chain, GENESIS)
        stored = bytes(row["hash"])
        if bytes(row["prev_hash"]) != prev:
            return VerifyResult(False, checked, row["id"], _fingerprint(heads))
        if hmac.compare_digest(entry_hash(key, prev, row), stored):
            keyed.add(chain)
        elif chain in keyed or legacy_entry_hash(prev, row) != stored:
            return VerifyResult(False, checked, row["id"], _fingerprint(heads))
        heads[chain] = stored
        if pending.get(chain) == stored:
            del pending[chain]
        checked += 1
    unkeyed = sorted(c for c in heads if c not in keyed)  # after its first keyed entry a chain stays keyed
    stored_heads = {c: bytes(h) for c, h in session.execute(select(AuditHead.chain, AuditHead.hash))}
    truncated = sorted(c for c in stored_heads if stored_heads[c] != heads.get(c, GENESIS))
    unanchored = sorted(c for c, h in pending.items() if h != GENESIS)
    return VerifyResult(not (truncated or unkeyed or unanchored), checked, None, _fingerprint(heads),
                        truncated, unkeyed, unanchored)


def _fingerprint(heads: dict[int, bytes]) -> str:
    """One hash of all non-empty chains' heads, to write down after each verification."""
    return hashlib.sha256(b"".join(heads[c] for c in sorted(heads) if heads[c] != GENESIS)).hexdigest()


def head(session: Session) -> dict[str, Any]:
    """What to anchor elsewhere (a ticket, a notary, another system's log): the fingerprint of
    every chain's head as ``audit_heads`` holds it, their hashes and the number of entries.

    Cheap (no walk); :func:`verify` with ``anchor=`` later proves the log still extends it."""
    stored = {c: bytes(h) for c, h in session.execute(select(AuditHead.chain, AuditHead.hash))}
    count = session.scalar(select(func.count()).select_from(AuditEntry)) or 0
    return {"fingerprint": _fingerprint(stored), "count": int(count),
            "at": utcnow().isoformat(timespec="seconds"),
            "heads": {str(c): h.hex() for c, h in sorted(stored.items()) if h != GENESIS}}


def parse_anchor(doc: dict[str, Any]) -> dict[int, bytes]:
    """The chain heads of a :func:`head` document (as written by ``saathi audit head --json``)."""
    return {int(c): bytes.fromhex(h) for c, h in doc.get("heads", {}).items()}


def key_legacy_chains(session: Session, key: bytes) -> list[int]:
    """Close every unkeyed chain with one keyed entry (migration 0003's data step); returns the
    chains closed. The caller commits.

    Refuses (AuditError) when a chain is broken under the old rule (keying it would bless the
    tampering) and does nothing once any keyed entry exists (see the module docstring: a later
    run must not bless a chain a database writer rewrote under SHA-256)."""
    heads: dict[int, bytes] = {}
    stmt = select(AuditEntry.__table__).order_by(AuditEntry.id).execution_options(yield_per=5000)
    for row in session.execute(stmt).mappings():
        prev = heads.get(row["chain"], GENESIS)
        stored = bytes(row["hash"])
        if hmac.compare_digest(entry_hash(key, bytes(row["prev_hash"]), row), stored):
            return []  # already keyed
        if bytes(row["prev_hash"]) != prev or legacy_entry_hash(prev, row) != stored:
            raise AuditError(f"the unkeyed audit log is broken at entry {row['id']}; not keying it")
        heads[row["chain"]] = stored
    stored_heads = {c: bytes(h) for c, h in session.execute(select(AuditHead.chain, AuditHead.hash))}
    cut = sorted(c for c in heads if stored_heads.get(c) != heads[c])
    if cut:
        raise AuditError(f"unkeyed audit chains {cut} end before audit_heads says; not keying them")
    for chain in sorted(heads):
        append(session, key=key, actor_id=None, actor_role="admin", action=KEYED_MARKER,
               resource="audit_log", purpose="operations", chain=chain)
    return sorted(heads)


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
            # unbound_ok: details sealed before issue #14 cannot be re-sealed (the chain's HMAC covers
            # their bytes and the table refuses UPDATE); that chain is what authenticates them
            "detail": (key.open(r.detail_enc, detail_place(r.chain, r.at), unbound_ok=True)
                       if r.detail_enc is not None else None),
        }
        for r in rows
    ]
