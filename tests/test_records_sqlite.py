"""The embedded default (SQLite file + key file under var/) works end to end, audit chain included."""

from __future__ import annotations

import stat
import threading
from pathlib import Path

from engine import schema
from records import Actor, Purpose, RecordsService
from records.crypto import FileKeyProvider
from records.db import make_engine, make_session_factory
from records.storage import LocalFileStore


def test_embedded_sqlite_flow(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'var' / 'saathi.db'}"
    schema.upgrade(url, target="records@head")
    keys = FileKeyProvider(tmp_path / "var" / "keys" / "master.json")
    assert stat.S_IMODE((tmp_path / "var" / "keys" / "master.json").stat().st_mode) == 0o600
    svc = RecordsService(make_session_factory(make_engine(url)), keys, LocalFileStore(tmp_path / "var" / "records"))
    pid = svc.get_or_create_patient("sms", "09876500000", "pa")
    me = Actor.patient(pid)

    def write(n: int) -> None:
        for i in range(10):
            svc.save_symptom_report(me, pid, {"text": f"dard {n}-{i}"}, purpose=Purpose.TRIAGE)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    svc.save_document(me, pid, b"scan", filename="a.png", mime="image/png", purpose=Purpose.SELF_CARE)
    assert len([x for x in svc.history(me, pid, purpose=Purpose.SELF_CARE) if x["kind"] == "symptom_report"]) == 40
    assert svc.verify_audit().ok
    assert b"dard" not in (tmp_path / "var" / "saathi.db").read_bytes()
    svc.rotate_keys(retire_old=True)
    assert svc.export_fhir(me, pid)["resourceType"] == "Bundle"
    assert svc.delete_patient(me, pid) == 1
    assert svc.verify_audit().ok
    assert svc.find_user("sms", "+919876500000") is None
