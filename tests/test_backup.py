"""``saathi backup`` / ``saathi restore`` (issue #21 item 8) on real PostgreSQL: a patient's sealed
records and a document in the file store, backed up, restored into a fresh empty database and an
empty var/, and read back by phone number; the archive holds no key or health text in clear; a
wrong passphrase, a database with tables and a changed archive are refused before anything is written.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from config.paths import ROOT
from records import Actor, Purpose, RecordsService
from tests.support.production import strong_secrets
from tests.support.records import fresh_pg_database

pytestmark = pytest.mark.postgres

PHONE = "+91 98765 43021"
NAME = "Gurpreet Kaur Sandhu"
SYMPTOM = "teen din se tez bukhar aur sir dard"
DOCUMENT = b"%PDF-1.4 HbA1c 9.8 percent"
PASSPHRASE = "correct horse battery staple"


def environment(url: str, var: Path, secrets: dict[str, str], **extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SAATHI_", "DATABASE_URL", "REDIS_URL"))}
    return {**base, **secrets, "DATABASE_URL": url.replace("postgresql://", "postgresql+psycopg2://"),
            "SAATHI_VAR_DIR": str(var), "PYTHONPATH": str(ROOT), **extra}


def saathi(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "saathi.cli", *args], env=env, capture_output=True, text=True,
                          timeout=300, cwd=ROOT)


def service(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> RecordsService:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    from config.settings import load

    return RecordsService.from_settings(load())


def test_backup_restores_into_an_empty_database_and_reads_back(tmp_path, monkeypatch):
    secrets = strong_secrets()
    with fresh_pg_database("saathi_bk_src") as source_url, fresh_pg_database("saathi_bk_dst") as target_url:
        source = environment(source_url, tmp_path / "var-src", secrets)
        assert saathi(source, "db", "upgrade").returncode == 0
        svc = service(source, monkeypatch)
        patient = svc.get_or_create_patient("whatsapp", PHONE, "pa")
        me = Actor.patient(patient)
        svc.update_patient_profile(me, patient, purpose=Purpose.SELF_CARE, name=NAME, village="Nabha")
        svc.save_symptom_report(me, patient, {"text": SYMPTOM, "symptoms": ["fever", "headache"]},
                                purpose=Purpose.TRIAGE)
        document = svc.save_document(me, patient, DOCUMENT, filename="report.pdf", mime="application/pdf",
                          purpose=Purpose.SELF_CARE)
        archive = tmp_path / "backup.tar"
        made = saathi({**source, "SAATHI_BACKUP_PASSPHRASE": PASSPHRASE}, "backup", "-o", str(archive))
        assert made.returncode == 0, made.stderr
        assert "postgresql database, records keys sealed, 1 record file(s)" in made.stdout
        assert archive.stat().st_mode & 0o077 == 0
        # nothing to read without the passphrase: no key, no name, no symptom, no document text
        raw = archive.read_bytes()
        master = (tmp_path / "var-src" / "keys" / "master.json").read_text()
        key_material = [line.split('"')[3] for line in master.splitlines() if line.count('"') >= 4 and len(line) > 40]
        assert key_material
        for secret in [*key_material, NAME, "bukhar", "HbA1c", secrets["SAATHI_SENDER_SALT"]]:
            assert secret.encode() not in raw, secret
        with tarfile.open(archive) as tar:
            assert {"manifest.json", "database.pgdump", "secrets.enc"} <= set(tar.getnames())

        target = environment(target_url, tmp_path / "var-dst", secrets)
        wrong = saathi({**target, "SAATHI_BACKUP_PASSPHRASE": "not the passphrase at all"}, "restore", str(archive))
        assert wrong.returncode == 1 and "wrong passphrase" in wrong.stderr
        assert not (tmp_path / "var-dst" / "keys").exists()  # refused before anything was written
        restored = saathi({**target, "SAATHI_BACKUP_PASSPHRASE": PASSPHRASE}, "restore", str(archive))
        assert restored.returncode == 0, restored.stderr
        again = saathi({**target, "SAATHI_BACKUP_PASSPHRASE": PASSPHRASE}, "restore", str(archive))
        assert again.returncode == 1 and "already has tables" in again.stderr

        back = service(target, monkeypatch)
        found = back.get_or_create_patient("whatsapp", PHONE, "pa")  # the phone lookup key came back too
        assert found == patient
        reader = Actor.patient(found)
        assert back.patient_profile(reader, found, purpose=Purpose.SELF_CARE)["name"] == NAME
        history = back.history(reader, found, purpose=Purpose.SELF_CARE)
        assert SYMPTOM in repr([item["data"] for item in history if item["kind"] == "symptom_report"])
        _, content = back.read_document(reader, found, document, purpose=Purpose.SELF_CARE)
        assert content == DOCUMENT  # the sealed file came back with the key that opens it


def test_a_changed_archive_is_refused(tmp_path):
    from config.settings import Settings
    from engine.backup import BackupError, backup, restore

    settings = Settings(var_dir=tmp_path / "var")
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    import sqlite3

    sqlite3.connect(settings.var_dir / "saathi.db").execute("create table t (x)")
    archive = tmp_path / "b.tar"
    backup(settings, archive, PASSPHRASE)
    with pytest.raises(BackupError, match="at least 12"):
        backup(settings, tmp_path / "c.tar", "short")
    data = bytearray(archive.read_bytes())
    offset = data.find(b"SQLite format 3")
    data[offset + 200] ^= 0xFF  # one byte of the database copy
    archive.write_bytes(bytes(data))
    with pytest.raises(BackupError, match="damaged"):
        restore(Settings(var_dir=tmp_path / "other"), archive, PASSPHRASE)
