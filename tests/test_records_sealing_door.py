"""Sealed columns live behind records (issue #15): other parts' tables seal and open a value for a
person at a place through ``RecordsService`` (``seal_for``, ``open_for``, ``open_column``,
``lookup_digest``), and no module of ``engine/`` reaches for the vault's data keys itself. The
bytes are what a data key seals for that place, so values written before open as they did.
Readiness asks records whether the keyring loads (``records.crypto.keyring_status``).
"""

from __future__ import annotations

import ast
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest

from engine import schema
from engine.asha.models import FollowUp
from records import Actor, Purpose, RecordsService
from records.crypto import CryptoError, KeyShredded, NoKeyring, Place, keyring_status
from records.types import place, place_of
from tests.support.records import build_service

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture()
def records(tmp_path: Path) -> RecordsService:
    url = f"sqlite:///{tmp_path / 'saathi.db'}"
    schema.upgrade(url, target="records@head")
    return build_service(url, tmp_path / "keys" / "master.json", tmp_path / "files")


def test_a_value_sealed_for_a_person_at_a_place_opens_there_only(records: RecordsService) -> None:
    pid = records.get_or_create_patient("whatsapp", "+919876500001", "hi")
    where = Place("asha_followups", "details_enc", str(uuid.uuid4()))
    sealed = records.seal_for(pid, {"kind": "anc", "label": "ANC-2"}, where)
    assert sealed.bound and b"ANC" not in sealed.blob
    assert records.open_for(pid, sealed, where) == {"kind": "anc", "label": "ANC-2"}
    with records.sessions() as s:  # the same bytes a data key seals for that place: the format is unchanged
        assert records.vault.for_user(s, pid).open(sealed, where) == {"kind": "anc", "label": "ANC-2"}
    with pytest.raises(CryptoError):
        records.open_for(pid, sealed, Place("asha_followups", "details_enc", str(uuid.uuid4())))
    other = records.get_or_create_patient("whatsapp", "+919876500002", "hi")
    with pytest.raises(CryptoError):
        records.open_for(other, sealed, where)


def test_a_column_opens_for_its_row_and_a_deleted_person_has_nothing(records: RecordsService) -> None:
    pid = records.get_or_create_patient("whatsapp", "+919876500003", "hi")
    row = FollowUp(id=uuid.uuid4(), asha_id=uuid.uuid4(), patient_id=pid, code="KD472", dedupe="d", status="open")
    assert records.open_column(pid, row, "details_enc", {}) == {}  # empty column: the default
    records.seal_column(pid, row, "details_enc", {"kind": "visit"})
    assert records.open_column(pid, row, "details_enc") == {"kind": "visit"}
    assert records.open_for(pid, row.details_enc, place_of(row, "details_enc")) == {"kind": "visit"}
    assert place_of(row, "details_enc") == place(FollowUp, "details_enc", row.id)
    kept = row.details_enc
    records.seal_column(pid, row, "details_enc", None)  # None clears the column
    assert row.details_enc is None
    row.details_enc = kept
    records.delete_patient(Actor.patient(pid), pid, purpose=Purpose.PATIENT_REQUEST)
    with pytest.raises(KeyShredded):
        records.open_column(pid, row, "details_enc")
    with pytest.raises(KeyShredded):
        records.seal_for(pid, {"kind": "visit"}, place_of(row, "details_enc"))


def test_lookup_digests_are_the_keyrings(records: RecordsService) -> None:
    assert records.lookup_digest("asha-line", "x") == records.keys.lookup_digest("asha-line", "x")
    assert records.lookup_digest("asha-line", "x") != records.lookup_digest("notify-dedupe", "x")


def test_no_module_outside_records_handles_data_keys() -> None:
    """``.vault`` (the data keys) is used inside records only: the engine and the adapters go
    through the door."""
    offenders = []
    packages = ("engine", "channels", "portal", "actions", "saathi", "config")
    for path in sorted(p for package in packages for p in (ROOT / package).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Attribute) and node.attr == "vault":
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def test_keyring_readiness_is_asked_of_records(tmp_path: Path) -> None:
    key_file = tmp_path / "keys" / "master.json"
    settings = SimpleNamespace(key_provider="file", effective_master_key_file=key_file)
    with pytest.raises(NoKeyring, match="no key file"):
        keyring_status(settings)
    assert not key_file.exists()  # never created by asking
    build_service(f"sqlite:///{tmp_path / 'x.db'}", key_file, tmp_path / "files")  # makes the keyring
    assert keyring_status(settings) == "file"
    key_file.write_text("{not json")
    with pytest.raises(ValueError):
        keyring_status(settings)
