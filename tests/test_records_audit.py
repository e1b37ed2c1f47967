"""The audit log is append-only (trigger) and hash-chained (tampering is caught by verify)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from records import Actor, Purpose, RecordsService
from records.db import normalise_url
from records.testing import make_patient, pg_url, records_dirs, svc  # noqa: F401

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
