"""The audit log is append-only (trigger) and HMAC-chained (tampering, even with the chain
recomputed, is caught by verify; an anchor catches a rewound log)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from engine import schema
from records import Actor, Purpose, RecordsService, audit
from records.audit import GENESIS, legacy_entry_hash
from records.db import normalise_url
from records.models import AuditEntry, utcnow
from tests.support.records import build_service, fresh_pg_database, make_patient, pg_url, records_dirs, svc  # noqa: F401

pytestmark = pytest.mark.postgres


def _raw(url: str):  # type: ignore[no-untyped-def]
    return create_engine(normalise_url(url), poolclass=NullPool)


def _cut_from(engine, first_id: int) -> None:  # type: ignore[no-untyped-def]
    """Repair after a tampering test: drop entries from ``first_id`` on and re-point the heads."""
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
        conn.execute(text("DELETE FROM audit_log WHERE id >= :m"), {"m": first_id})
        conn.execute(text("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only"))
        conn.execute(text(
            "UPDATE audit_heads h SET "
            "hash = COALESCE((SELECT a.hash FROM audit_log a WHERE a.chain = h.chain ORDER BY a.id DESC LIMIT 1),"
            " :zero), "
            "prev = COALESCE((SELECT a.prev_hash FROM audit_log a WHERE a.chain = h.chain "
            "ORDER BY a.id DESC LIMIT 1), :zero)"), {"zero": bytes(32)})


def _fill(svc: RecordsService, make_patient) -> None:  # noqa: F811
    pid = make_patient(name="Amrit")
    me = Actor.patient(pid)
    for word in ("bukhar", "khansi", "dast"):
        svc.save_symptom_report(me, pid, {"text": word}, purpose=Purpose.TRIAGE)
    svc.history(me, pid, purpose=Purpose.SELF_CARE)


def test_every_read_and_write_is_recorded(svc: RecordsService, make_patient) -> None:  # noqa: F811
    pid = make_patient()
    me = Actor.patient(pid)
    before = svc.verify_audit().checked
    svc.save_symptom_report(me, pid, {"text": "ulti"}, purpose=Purpose.TRIAGE)
    svc.history(me, pid, purpose=Purpose.SELF_CARE)
    result = svc.verify_audit()
    assert result.ok and result.checked == before + 2
    actions = [(e["action"], e["resource"], e["purpose"]) for e in svc.access_log(me, pid)]
    assert ("write", "symptom_report", "triage") in actions and ("read", "history", "self_care") in actions


def test_trigger_refuses_update_and_delete(svc: RecordsService, make_patient, pg_url: str) -> None:  # noqa: F811
    _fill(svc, make_patient)
    engine = _raw(pg_url)
    for sql in ("UPDATE audit_log SET purpose = 'x'", "DELETE FROM audit_log", "TRUNCATE audit_log"):
        with engine.begin() as conn, pytest.raises(DBAPIError, match="append-only"):
            conn.execute(text(sql))
    engine.dispose()
    assert svc.verify_audit().ok


@pytest.mark.parametrize("tamper", [
    "UPDATE audit_log SET purpose = 'treatment' WHERE id = {mid}",
    "UPDATE audit_log SET actor_role = 'admin', hash = hash WHERE id = {mid}",
    "DELETE FROM audit_log WHERE id = {mid}",
])
def test_tampering_is_caught(svc: RecordsService, make_patient, pg_url: str, tamper: str) -> None:  # noqa: F811
    _fill(svc, make_patient)
    assert svc.verify_audit().ok
    engine = _raw(pg_url)
    with engine.begin() as conn:  # an attacker with owner rights switches the trigger off
        # a recent entry with a successor in its chain (removing a chain's last entry is
        # truncation, caught through audit_heads: see test_truncation_is_caught)
        mid = conn.execute(text(
            "SELECT a.id FROM audit_log a WHERE EXISTS (SELECT 1 FROM audit_log b "
            "WHERE b.chain = a.chain AND b.id > a.id) ORDER BY a.id DESC LIMIT 1")).scalar_one()
        conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
        conn.execute(text(tamper.format(mid=mid)))
        conn.execute(text("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only"))
    result = svc.verify_audit()
    assert not result.ok
    assert result.first_bad_id is not None and result.first_bad_id >= mid
    _cut_from(engine, mid)  # so later tests start from a valid log
    engine.dispose()
    assert svc.verify_audit().ok


def test_truncation_is_caught(svc: RecordsService, make_patient, pg_url: str) -> None:  # noqa: F811
    _fill(svc, make_patient)
    before = svc.verify_audit()
    engine = _raw(pg_url)
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
        last = conn.execute(text("SELECT max(id) FROM audit_log")).scalar_one()
        conn.execute(text("DELETE FROM audit_log WHERE id = :m"), {"m": last})
        conn.execute(text("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only"))
    after = svc.verify_audit()
    assert not after.ok and after.first_bad_id is None and len(after.truncated_chains) == 1
    assert after.head_hash != before.head_hash
    _cut_from(engine, last)
    engine.dispose()
    assert svc.verify_audit().ok


def _rechain_sha256(engine, from_id: int) -> None:  # type: ignore[no-untyped-def]
    """What a database writer could do to the old unkeyed log: change an entry, then recompute
    ``sha256(prev || fields)`` for it and every later entry of its chain, and the chain's head."""
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
        chain = conn.execute(text("SELECT chain FROM audit_log WHERE id = :i"), {"i": from_id}).scalar_one()
        conn.execute(text("UPDATE audit_log SET purpose = 'treatment', actor_role = 'doctor' WHERE id = :i"),
                     {"i": from_id})
        rows = conn.execute(select(AuditEntry.__table__).where(AuditEntry.chain == chain)
                            .order_by(AuditEntry.id)).mappings().all()
        prev = GENESIS
        for row in rows:
            if row["id"] >= from_id:
                new = legacy_entry_hash(prev, row)
                conn.execute(text("UPDATE audit_log SET prev_hash = :p, hash = :h WHERE id = :i"),
                             {"p": prev, "h": new, "i": row["id"]})
                prev = new
            else:
                prev = bytes(row["hash"])
        conn.execute(text("UPDATE audit_heads SET hash = :h WHERE chain = :c"), {"h": prev, "c": chain})
        conn.execute(text("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only"))


def test_sha256_recomputed_chain_is_caught(svc: RecordsService, make_patient, pg_url: str) -> None:  # noqa: F811
    """Issue #14 finding 8: a database writer who edits an entry and recomputes the chain after it
    with plain SHA-256 (all the old unkeyed rule needed) no longer passes verify."""
    _fill(svc, make_patient)
    with svc.sessions() as session:  # three entries on chain 0, through the ordinary append
        for _ in range(3):
            audit.append(session, key=svc.audit_key, actor_id=None, actor_role="admin", action="purge",
                         resource="transcript", purpose="operations", chain=0)
        session.commit()
    assert svc.verify_audit().ok
    engine = _raw(pg_url)
    with engine.connect() as conn:  # the middle one: a keyed entry before it, one after it
        mid = conn.execute(text("SELECT id FROM audit_log WHERE chain = 0 ORDER BY id DESC "
                                "OFFSET 1 LIMIT 1")).scalar_one()
    _rechain_sha256(engine, mid)
    result = svc.verify_audit()
    assert not result.ok and result.first_bad_id == mid  # a SHA-256 link after keyed entries
    _cut_from(engine, mid)
    engine.dispose()
    assert svc.verify_audit().ok


def test_whole_chain_rewritten_under_sha256_is_caught(
        svc: RecordsService, make_patient, pg_url: str) -> None:  # noqa: F811
    """Rewriting a chain from its first entry (so no keyed entry precedes the SHA-256 ones) leaves
    a chain that ends unkeyed: reported, not accepted as an old log."""
    _fill(svc, make_patient)
    engine = _raw(pg_url)
    with engine.connect() as conn:
        first = conn.execute(text("SELECT min(id) FROM audit_log WHERE chain = "
                                  "(SELECT chain FROM audit_log ORDER BY id DESC LIMIT 1)")).scalar_one()
        chain = conn.execute(text("SELECT chain FROM audit_log WHERE id = :i"), {"i": first}).scalar_one()
    _rechain_sha256(engine, first)
    result = svc.verify_audit()
    assert not result.ok and result.first_bad_id is None and result.unkeyed_chains == [chain]
    _cut_from(engine, first)
    engine.dispose()
    assert svc.verify_audit().ok


def test_a_different_key_does_not_verify(
        svc: RecordsService, make_patient, tmp_path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """The chain key comes from the key provider: another keyring (a writer's guess) fails."""
    from records.crypto import FileKeyProvider

    _fill(svc, make_patient)
    with svc.sessions() as session:
        assert audit.verify(session, svc.audit_key).ok
        other = audit.chain_key(FileKeyProvider(tmp_path / "other.json"))
        assert other != svc.audit_key and not audit.verify(session, other).ok


def test_anchor_catches_a_rewound_log(svc: RecordsService, make_patient, pg_url: str) -> None:  # noqa: F811
    """Cutting entries off the end *and* rewinding audit_heads passes the plain verify; the head
    exported earlier (saathi audit head) catches it."""
    _fill(svc, make_patient)
    before = svc.audit_head()
    assert before["count"] == svc.verify_audit().checked
    assert before["fingerprint"] == svc.verify_audit().head_hash
    anchor = audit.parse_anchor(json.loads(json.dumps(before)))
    assert svc.verify_audit(anchor).ok
    engine = _raw(pg_url)
    with engine.connect() as conn:
        last = conn.execute(text("SELECT max(id) FROM audit_log")).scalar_one()
        chain = conn.execute(text("SELECT chain FROM audit_log WHERE id = :i"), {"i": last}).scalar_one()
    _cut_from(engine, last)  # the entry goes and its chain's head is re-pointed: consistent again
    engine.dispose()
    assert svc.verify_audit().ok
    result = svc.verify_audit(anchor)
    assert not result.ok and result.unanchored_chains == [chain]


def test_older_unkeyed_log_is_closed_by_the_migration_step(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A log written under the old SHA-256 rule: migration 0003's step checks it and closes each
    chain with a keyed entry (old hashes kept); tampering with the old entries is then caught, a
    re-run does nothing, and a broken old log is refused instead of being blessed."""
    with fresh_pg_database("saathi_audit_legacy") as url:
        schema.upgrade(url, target="0002")
        old = build_service(url, tmp_path / "keys" / "master.json", tmp_path / "files")
        engine = _raw(url)
        with engine.begin() as conn:  # three entries on chain 3, two on chain 7, the old way
            heads = {3: GENESIS, 7: GENESIS}
            for n, chain in enumerate((3, 7, 3, 7, 3)):
                row = {"at": utcnow(), "chain": chain, "actor_id": None, "actor_role": "patient",
                       "action": "read", "resource": f"history{n}", "purpose": "self_care",
                       "outcome": "ok", "subject_tag": None, "detail_enc": None}
                new = legacy_entry_hash(heads[chain], row)
                conn.execute(insert(AuditEntry.__table__), [{**row, "prev_hash": heads[chain], "hash": new}])
                conn.execute(text("UPDATE audit_heads SET prev = hash, hash = :h WHERE chain = :c"),
                             {"h": new, "c": chain})
                heads[chain] = new
        assert old.verify_audit().unkeyed_chains == [3, 7]
        with pytest.raises(RuntimeError, match="needs the records keys"):
            schema.upgrade(url)
        schema.upgrade(url, old)
        result = old.verify_audit()
        assert result.ok and result.checked == 7
        with old.sessions() as session:
            markers = session.scalars(select(AuditEntry.prev_hash).where(AuditEntry.action == audit.KEYED_MARKER)
                                      .order_by(AuditEntry.chain)).all()
        assert [bytes(m) for m in markers] == [heads[3], heads[7]]  # old heads, now covered by the key
        schema.upgrade(url, old)  # idempotent: nothing more appended
        assert old.verify_audit().checked == 7

        _rechain_sha256(engine, 1)  # rewrite an old entry and recompute its chain (marker included)
        broken = old.verify_audit()
        assert not broken.ok and broken.unkeyed_chains == [3]
        with old.sessions() as session:  # once keyed entries exist the step never re-keys
            assert audit.key_legacy_chains(session, old.audit_key) == []
            with engine.begin() as conn:
                conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
                conn.execute(text("DELETE FROM audit_log WHERE action = :a"), {"a": audit.KEYED_MARKER})
                conn.execute(text("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only"))
                conn.execute(text("UPDATE audit_heads SET hash = (SELECT hash FROM audit_log a WHERE "
                                  "a.chain = audit_heads.chain ORDER BY id DESC LIMIT 1) WHERE chain IN (3, 7)"))
            # all keyed entries gone: the rewritten log verifies under SHA-256 again, but it is reported unkeyed
            assert old.verify_audit().unkeyed_chains == [3, 7]
        old._sessions.kw["bind"].dispose()
        engine.dispose()


def test_broken_unkeyed_log_is_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with fresh_pg_database("saathi_audit_legacy") as url:
        schema.upgrade(url, target="0002")
        old = build_service(url, tmp_path / "keys" / "master.json", tmp_path / "files")
        engine = _raw(url)
        with engine.begin() as conn:
            row = {"at": utcnow(), "chain": 1, "actor_id": None, "actor_role": "patient", "action": "read",
                   "resource": "history", "purpose": "self_care", "outcome": "ok", "subject_tag": None,
                   "detail_enc": None}
            new = legacy_entry_hash(GENESIS, row)
            conn.execute(insert(AuditEntry.__table__),
                         [{**row, "purpose": "treatment", "prev_hash": GENESIS, "hash": new}])  # edited
            conn.execute(text("UPDATE audit_heads SET hash = :h WHERE chain = 1"), {"h": new})
        with pytest.raises(audit.AuditError, match="broken at entry"):
            schema.upgrade(url, old)
        old._sessions.kw["bind"].dispose()
        engine.dispose()
