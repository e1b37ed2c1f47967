"""Encryption at rest: AES-GCM round trips, tamper detection, key providers and master-key rotation."""

from __future__ import annotations

import base64
import os
import stat
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from records import Actor, Purpose, RecordsService
from records.crypto import CryptoError, DataKey, EnvKeyProvider, FileKeyProvider, Place, Sealed, new_data_key
from records.models import Base, DataKeyRow, SymptomReport, User
from tests.support.records import build_service, make_patient, pg_url, records_dirs, svc  # noqa: F401


def test_seal_round_trip_and_tamper() -> None:
    key = new_data_key(uuid.uuid4())
    here = Place("symptom_reports", "report_enc", str(uuid.uuid4()))
    sealed = key.seal({"text": "mujhe bukhar hai", "symptoms": ["fever"]}, here)
    assert b"bukhar" not in sealed.blob
    assert sealed.key_id == key.id and sealed.bound
    assert key.open(sealed, here) == {"text": "mujhe bukhar hai", "symptoms": ["fever"]}
    flipped = bytearray(sealed.blob)
    flipped[-1] ^= 1
    with pytest.raises(CryptoError):
        key.open(Sealed(bytes(flipped)), here)
    with pytest.raises(CryptoError):
        new_data_key().open(sealed, here)
    elsewhere = [Place("triage_results", "report_enc", here.row), Place("symptom_reports", "text_enc", here.row),
                 Place("symptom_reports", "report_enc", str(uuid.uuid4()))]
    for place in elsewhere:  # bound: another table, column or row does not open it
        with pytest.raises(CryptoError):
            key.open(sealed, place)
    with pytest.raises(CryptoError):  # nor the same key claimed by another person
        DataKey(key.id, key.key, uuid.uuid4()).open(sealed, here)
    file_blob = key.seal_bytes(b"scan", b"doc:1")
    with pytest.raises(CryptoError):  # a file sealed for one document cannot pass as another
        key.open_bytes(file_blob, b"doc:2")


def test_encrypted_column_refuses_plaintext() -> None:
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        user = User(id=uuid.uuid4(), role="patient")
        session.add(user)
        session.add(SymptomReport(patient_id=user.id, report_enc="mujhe bukhar hai"))  # type: ignore[arg-type]
        with pytest.raises(Exception, match="only stores Sealed"):
            session.flush()


def test_file_key_provider_creates_private_key_file(tmp_path: Path) -> None:
    path = tmp_path / "var" / "keys" / "master.json"
    provider = FileKeyProvider(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    dek = new_data_key()
    kid, wrapped = provider.wrap(dek.key, dek.id)
    assert FileKeyProvider(path).unwrap(kid, wrapped, dek.id) == dek.key
    with pytest.raises(CryptoError):
        provider.unwrap(kid, wrapped, uuid.uuid4())  # wrapped key is bound to its data-key id
    assert provider.lookup_digest("addr:sms", "+911") == FileKeyProvider(path).lookup_digest("addr:sms", "+911")


def test_env_key_provider() -> None:
    k1, k2, lk = (base64.b64encode(os.urandom(32)).decode() for _ in range(3))
    old = EnvKeyProvider({"SAATHI_MASTER_KEYS": f"m1:{k1}", "SAATHI_LOOKUP_KEY": lk})
    new = EnvKeyProvider({"SAATHI_MASTER_KEYS": f"m2:{k2},m1:{k1}", "SAATHI_LOOKUP_KEY": lk})
    dek = new_data_key()
    kid, wrapped = old.wrap(dek.key, dek.id)
    assert new.current_key_id() == "m2"
    assert new.unwrap(kid, wrapped, dek.id) == dek.key
    with pytest.raises(CryptoError):
        EnvKeyProvider({})


@pytest.mark.postgres
def test_rotation_rewraps_without_downtime(
    svc: RecordsService, records_dirs: tuple[Path, Path], pg_url: str, make_patient  # noqa: F811
) -> None:
    pid = make_patient(name="Simran")
    me = Actor.patient(pid)
    rid = svc.save_symptom_report(me, pid, {"text": "pet dard"}, purpose=Purpose.TRIAGE)
    # A second process, started before rotation, with a cold key cache.
    other = build_service(pg_url, *records_dirs)
    old_master = svc.keys.current_key_id()

    report = svc.rotate_keys()
    assert report.new_master_key_id != old_master
    assert report.rewrapped >= 1
    assert set(report.remaining) == {report.new_master_key_id}
    with svc._sessions() as session:
        kids = set(session.scalars(select(DataKeyRow.master_key_id)))
    assert kids == {report.new_master_key_id}

    # The old process learns the new master key from the key file on first use (no restart).
    assert other.symptom_report(me, pid, rid, purpose=Purpose.SELF_CARE) == {"text": "pet dard"}
    # New writes by the old process are readable by everyone.
    rid2 = other.save_symptom_report(me, pid, {"text": "sir dard"}, purpose=Purpose.TRIAGE)
    fresh = build_service(pg_url, *records_dirs)
    assert fresh.symptom_report(me, pid, rid2, purpose=Purpose.SELF_CARE) == {"text": "sir dard"}

    # Retiring the old key once nothing uses it.
    report2 = svc.rotate_keys(retire_old=True)
    assert old_master in report2.retired
    assert old_master not in FileKeyProvider(records_dirs[0]).known_key_ids()
    assert build_service(pg_url, *records_dirs).symptom_report(me, pid, rid, purpose=Purpose.SELF_CARE)


def test_stale_process_follows_rotation(tmp_path: Path) -> None:
    """A process that loaded the key file before rotation wraps new keys under the new master."""
    path = tmp_path / "master.json"
    stale = FileKeyProvider(path)
    operator = FileKeyProvider(path)
    new_kid = operator.rotate()
    operator.retire({new_kid})
    dek = new_data_key()
    kid, wrapped = stale.wrap(dek.key, dek.id)
    assert kid == new_kid
    assert FileKeyProvider(path).unwrap(kid, wrapped, dek.id) == dek.key
    assert stale.known_key_ids() == [new_kid]


def test_only_allowlisted_columns_are_plaintext() -> None:
    """Adding a plaintext column to a health table must be a conscious decision made here."""
    from sqlalchemy import LargeBinary

    from records.types import Encrypted

    plain_ok = {
        "id", "user_id", "patient_id", "encounter_id", "symptom_report_id", "document_id", "prescription_id",
        "consultation_id", "doctor_id", "grantee_id", "registered_by", "created_at", "started_at", "ended_at",
        "at", "granted_at", "expires_at", "revoked_at", "scheduled_at", "rewrapped_at", "role", "language",
        "kind", "channel", "status", "scope", "model_version", "blob_key", "blob_size", "specialty",
        "languages", "area", "master_key_id", "wrapped", "address_hmac", "chain", "prev", "hash", "prev_hash",
        "subject_tag", "actor_id", "actor_role", "action", "resource", "purpose", "outcome",
        # access_pins (engine.stepup): a keyed digest of the sender, an argon2id hash of the PIN, when set
        "subject_hmac", "pin_hash", "set_at",
    }
    for table in Base.metadata.sorted_tables:
        for col in table.columns:
            if isinstance(col.type, Encrypted):
                assert col.name.endswith("_enc"), f"{table.name}.{col.name}"
                continue
            assert col.name in plain_ok, f"{table.name}.{col.name} is neither Encrypted nor allow-listed"
            assert not col.name.endswith("_enc"), f"{table.name}.{col.name} is named _enc but not Encrypted"
            if isinstance(col.type, LargeBinary):
                assert col.name in {"wrapped", "address_hmac", "prev", "hash", "prev_hash", "subject_tag", "subject_hmac"}


def test_env_provider_rotation_rewrap_only(tmp_path: Path) -> None:
    from engine import schema
    from records.db import make_engine, make_session_factory
    from records.storage import LocalFileStore

    k1, k2, lk = (base64.b64encode(os.urandom(32)).decode() for _ in range(3))
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    schema.upgrade(url, target="records@head")
    sessions = make_session_factory(make_engine(url))

    def service(keys: str) -> RecordsService:
        env = {"SAATHI_MASTER_KEYS": keys, "SAATHI_LOOKUP_KEY": lk}
        return RecordsService(sessions, EnvKeyProvider(env), LocalFileStore(tmp_path / "files"))

    old = service(f"m1:{k1}")
    pid = old.get_or_create_patient("sms", "+919000000001")
    rid = old.save_symptom_report(Actor.patient(pid), pid, {"text": "x"}, purpose=Purpose.TRIAGE)
    both = service(f"m2:{k2},m1:{k1}")  # operator put the new key first and restarted
    with pytest.raises(NotImplementedError):
        both.rotate_keys()
    report = both.rotate_keys(new_master_key=False)
    assert report.remaining == {"m2": 1}
    only_new = service(f"m2:{k2}")  # m1 can now be dropped from the environment
    assert only_new.find_user("sms", "+919000000001") == pid
    assert only_new.symptom_report(Actor.patient(pid), pid, rid, purpose=Purpose.SELF_CARE) == {"text": "x"}


def test_a_fresh_keyring_created_by_many_threads_at_once_is_one_keyring(tmp_path):
    """A new gateway's first concurrent webhooks each build a FileKeyProvider: one keyring must win,
    every thread must use it, and nobody may fail (seen: FileNotFoundError from a shared temp name)."""
    from concurrent.futures import ThreadPoolExecutor

    from records.crypto import FileKeyProvider

    path = tmp_path / "keys" / "master.json"
    barrier = __import__("threading").Barrier(16)

    def build(_):
        barrier.wait()
        provider = FileKeyProvider(path)
        return provider.current_key_id(), provider.lookup_digest("phone", "+919800000000")

    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(build, range(16)))
    assert len(set(results)) == 1
    assert sorted(p.name for p in path.parent.iterdir()) == ["master.json"]  # no temp files left
