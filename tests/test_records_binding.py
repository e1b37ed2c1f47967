"""Sealed values are bound to their place (issue #14, finding 8): table, column, row id and owner.

A database writer who moves a ciphertext to another row, column or patient gets a loud
CryptoError, never the other row's data; the records migration 0004 re-seals what was sealed
before (version 1, empty context) person by person, can be interrupted, and afterwards refuses
version-1 copies put back; crypto-shredding still works; pg_dump shows no plaintext.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import sqlalchemy as sa

from engine import schema
from engine.notify.addresses import RecordsSealer
from records import Actor, PatientNotFound, Purpose, RecordsService
from records.crypto import BOUND_WRAP, CryptoError, DataKey, KeyProvider, LocalKeyring, Place
from records.db import make_engine
from records.keys import LEGACY_KEY_TTL, Vault
from records.models import DataKeyRow
from records.resealing import count_unbound, reseal
from records.types import place, seal_into, sealed_columns
from saathi.cli import main
from tests.support.records import (  # noqa: F401
    build_service,
    fresh_pg_database,
    make_doctor,
    make_patient,
    pg_url,
    records_dirs,
    svc,
)

# Written by the code before issue #14 (main at 67f3897), with a fixed data key and master key:
# ``DataKey(OLD_KEY_ID, bytes(range(32))).seal({"text": "mujhe bukhar hai"})`` and
# ``LocalKeyring({"m1": bytes(range(32, 64))}, "m1", bytes(32)).wrap(key, OLD_KEY_ID)``.
OLD_KEY_ID = uuid.UUID("00000000-0000-4000-8000-000000000001")
OLD_VALUE = base64.b64decode("AQAAAAAAAEAAgAAAAAAAAAGCD+fDT/QvcEIuys5Twi9HtHeOCDhWrwDbI79ncGO4MB5wBWcXEqJt8/TPHDmPfrRav+2bDnwJ")
OLD_WRAPPED = base64.b64decode("TrWPfklz/pYDdsFfrrrm1chAzsZWO69oRsl1NVUCtdEVgf3cm38K5qDroSwS0kfP9MTJvrmnuuQywkuV")

NAME, NAME_HI, PHONE = "Harpreet Sandhu", "हरप्रीत संधू", "+919876501234"
SYMPTOMS = "khoon ki ulti aur saans phoolna"


def test_values_sealed_before_binding_open_only_with_a_legacy_wrapped_key() -> None:
    ring = LocalKeyring({"m1": bytes(range(32, 64))}, "m1", bytes(32))
    owner = uuid.uuid4()
    row = SimpleNamespace(id=OLD_KEY_ID, user_id=owner, master_key_id="m1", wrapped=OLD_WRAPPED)
    key = Vault(ring).unwrap(row)
    assert key.unbound_ok and key.key == bytes(range(32))  # wrapped by the old code: still legacy
    anywhere = Place("symptom_reports", "report_enc", str(uuid.uuid4()))
    assert key.open(OLD_VALUE, anywhere) == {"text": "mujhe bukhar hai"}

    bound = Vault(ring).unwrap(SimpleNamespace(id=OLD_KEY_ID, user_id=owner, master_key_id="m1",
                                               wrapped=ring.wrap(key.key, OLD_KEY_ID, BOUND_WRAP)[1]))
    assert not bound.unbound_ok
    with pytest.raises(CryptoError, match="unbound"):  # re-sealed person: an old copy is refused
        bound.open(OLD_VALUE, anywhere)
    assert bound.open(bound.seal({"text": "x"}, anywhere), anywhere) == {"text": "x"}


@pytest.mark.postgres
def test_swapped_ciphertexts_fail_loudly(svc: RecordsService, make_patient, pg_url: str) -> None:  # noqa: F811
    pid, other = make_patient(), make_patient()
    me = Actor.patient(pid)
    fever = svc.save_symptom_report(me, pid, {"text": "bukhar"}, purpose=Purpose.TRIAGE)
    bleeding = svc.save_symptom_report(me, pid, {"text": SYMPTOMS}, purpose=Purpose.TRIAGE)
    triage = svc.save_triage(me, pid, {"urgency": "self_care"}, model_version="v1", purpose=Purpose.TRIAGE,
                             symptom_report_id=fever)
    theirs = svc.save_symptom_report(Actor.patient(other), other, {"text": "sir dard"}, purpose=Purpose.TRIAGE)
    engine = make_engine(pg_url)

    def swap(sql: str, **ids: uuid.UUID) -> None:
        with engine.begin() as conn:
            conn.execute(sa.text(sql), ids)

    # two rows of one patient: report A's ciphertext in report B's row and back
    swap("UPDATE symptom_reports a SET report_enc = b.report_enc FROM symptom_reports b "
         "WHERE (a.id, b.id) IN ((:x, :y), (:y, :x))", x=fever, y=bleeding)
    for rid in (fever, bleeding):
        with pytest.raises(CryptoError):
            svc.symptom_report(me, pid, rid, purpose=Purpose.SELF_CARE)
    with pytest.raises(CryptoError):  # the whole history refuses, it does not show the swapped text
        svc.history(me, pid, purpose=Purpose.SELF_CARE)
    swap("UPDATE symptom_reports a SET report_enc = b.report_enc FROM symptom_reports b "
         "WHERE (a.id, b.id) IN ((:x, :y), (:y, :x))", x=fever, y=bleeding)  # put back: reads again
    assert svc.symptom_report(me, pid, bleeding, purpose=Purpose.SELF_CARE) == {"text": SYMPTOMS}

    # another column (and table) of the same patient: a symptom report as the triage result
    swap("UPDATE triage_results SET result_enc = (SELECT report_enc FROM symptom_reports WHERE id = :r) "
         "WHERE id = :t", r=bleeding, t=triage)
    with pytest.raises(CryptoError):
        svc.history(me, pid, purpose=Purpose.SELF_CARE)
    swap("DELETE FROM triage_results WHERE id = :t", t=triage)

    # another patient's ciphertext in this patient's row
    swap("UPDATE symptom_reports SET report_enc = (SELECT report_enc FROM symptom_reports WHERE id = :o) "
         "WHERE id = :r", o=theirs, r=fever)
    with pytest.raises(CryptoError):
        svc.symptom_report(me, pid, fever, purpose=Purpose.SELF_CARE)

    # two lines of one conversation (their ids are made by the database: bound to conversation and time)
    enc = svc.start_encounter(me, pid, purpose=Purpose.TRIAGE)
    svc.add_transcript_line(me, pid, enc, "patient", "mujhe bukhar hai", purpose=Purpose.TRIAGE)
    svc.add_transcript_line(me, pid, enc, "bot", "kya saans phool rahi hai?", purpose=Purpose.TRIAGE)
    swap("UPDATE transcript_lines a SET line_enc = b.line_enc FROM transcript_lines b "
         "WHERE a.encounter_id = :e AND b.encounter_id = :e AND a.id <> b.id", e=enc)
    with pytest.raises(CryptoError):
        svc.transcript(me, pid, enc, purpose=Purpose.SELF_CARE)

    # one person's profile in another person's row
    swap("UPDATE patient_profiles SET details_enc = (SELECT details_enc FROM patient_profiles WHERE user_id = :o) "
         "WHERE user_id = :p", o=other, p=pid)
    with pytest.raises(CryptoError):
        svc.patient_profile(me, pid, purpose=Purpose.SELF_CARE)
    engine.dispose()


# ---------------------------------------------------------------------- migration 0004


def _previous_head(url: str) -> None:
    """Every part at its head, records at 0003: the schema before bound values."""
    schema.upgrade(url, target=tuple("0003" if part == "records" else f"{part}@head" for part in schema.PARTS))


def _write_everything(records: RecordsService) -> dict[str, uuid.UUID]:
    """A patient with every kind of record, a doctor, an ASHA, and the engines' sealed rows."""
    from engine.asha.models import BatchLine, FollowUp
    from engine.notify.models import Outbox
    from portal.accounts import Accounts
    from records.portal_models import HandoffCase, PortalAccount

    pid = records.get_or_create_patient("whatsapp", PHONE, "pa")
    me = Actor.patient(pid)
    records.update_patient_profile(me, pid, purpose=Purpose.SELF_CARE, name=NAME, village="Dhuri", birth_year=1990)
    enc = records.start_encounter(me, pid, purpose=Purpose.TRIAGE, channel="whatsapp")
    records.add_transcript_line(me, pid, enc, "patient", f"{NAME_HI}: {SYMPTOMS}", purpose=Purpose.TRIAGE)
    rid = records.save_symptom_report(me, pid, {"text": SYMPTOMS}, purpose=Purpose.TRIAGE, encounter_id=enc)
    records.save_triage(me, pid, {"urgency": "emergency", "conditions": [{"icd10": "A97"}]}, model_version="v1",
                        purpose=Purpose.TRIAGE, symptom_report_id=rid)
    records.save_document(me, pid, b"%PDF-1.4 scan", filename="report.pdf", mime="application/pdf",
                          purpose=Purpose.SELF_CARE, ocr={"doc_type": "lab_report", "text": "Haemoglobin 9.8",
                                                          "lab_results": [{"test": "Haemoglobin", "value": 9.8}],
                                                          "medications": [{"name": "Dolo 650"}]})
    doctor = records.register_doctor(name="Dr Gurleen Bajwa", specialty="general_physician",
                                     registration_number="PMC-4711", languages=["pa"])
    cid = records.open_consultation(me, pid, doctor, purpose=Purpose.SELF_CARE, reason="ulti", encounter_id=enc)
    records.grant_consent(me, pid, consultation_id=cid)
    records.save_prescription(Actor.doctor(doctor), pid, cid, [{"name": "ORS"}], purpose=Purpose.TREATMENT,
                              advice="paani piyo")
    asha = records.register_asha(name="Asha Rani", village="Dhuri")
    Accounts(records).create(doctor, "gurleen", "Correct-Horse-9", phone="+919876500000", name="Gurleen")
    with records.sessions() as s:
        key, asha_key = records.vault.for_user(s, pid), records.vault.for_user(s, asha)
        case = HandoffCase(id=uuid.uuid4(), patient_id=pid)
        for column, value in (("details_enc", {"text": SYMPTOMS}), ("meeting_enc", {"room": "r-1"}),
                              ("notes_enc", {"soap": {"plan": "paani piyo"}})):
            seal_into(key, case, column, value)
        account = s.get(PortalAccount, doctor)
        seal_into(records.vault.for_user(s, doctor), account, "totp_secret_enc", "JBSWY3DPEHPK3PXP")
        follow = FollowUp(id=uuid.uuid4(), asha_id=asha, patient_id=pid, code="KD472", dedupe="d1",
                          due_on=dt.date(2027, 1, 19))
        follow.details_enc = key.seal({"kind": "anc", "label": "ANC-2"}, place(FollowUp, "details_enc", follow.id))
        line = BatchLine(asha_id=asha, line_key="ref:1")
        line.outcome_enc = asha_key.seal("sos:KD472", place(BatchLine, "outcome_enc", "ref:1"))
        out_id = uuid.uuid4()
        outbox = Outbox(id=out_id, dedupe_key="d:1", kind="checkup", user_id=pid, key="asha_notify_checkup",
                        fields_enc=RecordsSealer(records).seal(pid, out_id, {"date": "19/01"}),
                        due_at=dt.datetime.now(dt.timezone.utc))
        s.add_all([case, follow, line, outbox])
        s.commit()
    return {"patient": pid, "doctor": doctor, "asha": asha, "case": case.id}


def _owned_values(url: str, records: RecordsService) -> Iterator[tuple[Any, Any, Any, DataKey]]:
    """(sealed column, its Core table, row, owner's key) for every owned sealed value."""
    engine = make_engine(url)
    present = set(sa.inspect(engine).get_table_names())
    with engine.connect() as conn, records.sessions() as s:
        for col in sealed_columns(schema.metadata()):
            if col.owner is None or col.table not in present:
                continue
            table = sa.table(col.table, *(sa.column(n, col.model.c[n].type)
                                          for n in {*col.row, col.owner, *col.primary_key}),
                             sa.column(col.column, sa.LargeBinary()))
            for row in conn.execute(sa.select(table).where(table.c[col.column].is_not(None))).all():
                yield col, table, row, records.vault.for_user(s, getattr(row, col.owner))
    engine.dispose()


def _snapshot(url: str, records: RecordsService) -> dict[tuple[str, ...], Any]:
    """Every owned sealed value of the database, opened with its owner's key for its place."""
    return {(col.table, col.column, *(str(getattr(row, k)) for k in col.primary_key)):
            key.open(getattr(row, col.column), col.place_of(row))
            for col, _, row, key in _owned_values(url, records)}


def _to_version_1(url: str, records: RecordsService) -> None:
    """Rewrite the database as the code before issue #14 left it: every owned value sealed with the
    empty context (the format the old-code vectors above show) and every data key wrapped without
    the bound context."""
    changes = []
    for col, table, row, key in _owned_values(url, records):
        value = key.open(getattr(row, col.column), col.place_of(row))
        plain = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
        changes.append(sa.update(table).where(*(table.c[k] == getattr(row, k) for k in col.primary_key))
                       .values({col.column: key.seal_bytes(plain).blob}))
    engine = make_engine(url)
    with engine.begin() as conn:
        for change in changes:
            conn.execute(change)
        keys = DataKeyRow.__table__
        for row in conn.execute(sa.select(keys)).all():
            key = records.vault.unwrap(row)
            conn.execute(sa.update(keys).where(keys.c.id == row.id)
                         .values(wrapped=records.keys.wrap(key.key, row.id)[1]))
    engine.dispose()


class _FailingAfter(KeyProvider):
    """The real provider, but wrapping fails after ``n`` keys: a migration killed half-way."""

    def __init__(self, real: KeyProvider, n: int) -> None:
        self.real, self.left = real, n

    def current_key_id(self) -> str:
        return self.real.current_key_id()

    def wrap(self, dek: bytes, dek_id: uuid.UUID, context: bytes = b"") -> tuple[str, bytes]:
        if self.left == 0:
            raise KeyboardInterrupt("operator pressed Ctrl-C")
        self.left -= 1
        return self.real.wrap(dek, dek_id, context)

    def unwrap(self, master_key_id: str, wrapped: bytes, dek_id: uuid.UUID, context: bytes = b"") -> bytes:
        return self.real.unwrap(master_key_id, wrapped, dek_id, context)

    def lookup_digest(self, namespace: str, value: str) -> bytes:
        return self.real.lookup_digest(namespace, value)


def _legacy_people(records: RecordsService) -> int:
    with records.sessions() as s:
        return sum(records.vault.unwrap(row).unbound_ok for row in s.scalars(sa.select(DataKeyRow)))


@pytest.mark.postgres
def test_migration_reseals_a_database_made_at_the_previous_head(tmp_path: Path) -> None:
    with fresh_pg_database("saathi_bind") as url:
        _previous_head(url)
        writer = build_service(url, tmp_path / "master.json", tmp_path / "files")
        ids = _write_everything(writer)
        expected = _snapshot(url, writer)
        engine = make_engine(url)
        tables = set(sa.inspect(engine).get_table_names())  # what the previous head has (later tables: empty)
        engine.dispose()
        owned = {(c.table, c.column) for c in sealed_columns(schema.metadata()) if c.owner and c.table in tables}
        assert {key[:2] for key in expected} == owned  # a value in every owned sealed column of every part
        _to_version_1(url, writer)
        columns = sealed_columns(schema.metadata())
        assert count_unbound(url, columns) == len(expected)

        # the code of issue #14 reads the old database before and while it is migrated
        records = build_service(url, tmp_path / "master.json", tmp_path / "files")
        assert _snapshot(url, records) == expected
        with records.sessions() as s:  # a version-1 copy, to put back after the migration
            old_report = s.execute(sa.text("SELECT id, report_enc FROM symptom_reports")).one()
        people = _legacy_people(records)
        assert people == 3

        with pytest.raises(KeyboardInterrupt):  # killed after the first person's commit
            reseal(url, SimpleNamespace(vault=Vault(_FailingAfter(records.keys, 1))), columns, batch=1)
        fresh = build_service(url, tmp_path / "master.json", tmp_path / "files")
        assert _legacy_people(fresh) == people - 1
        now = [0.0]
        fresh.vault = Vault(fresh.keys, clock=lambda: now[0])  # a process that goes on running
        assert _snapshot(url, fresh) == expected  # half bound, half not: everything reads

        with pytest.raises(RuntimeError, match="saathi db upgrade"):
            schema.upgrade(url)  # no keys: refuses instead of leaving values unbound
        schema.upgrade(url, records)
        assert schema.current(url, "records") == schema.scripts().get_revision("records@head").revision
        assert count_unbound(url, columns) == 0 and _legacy_people(records) == 0
        after = build_service(url, tmp_path / "master.json", tmp_path / "files")
        assert _snapshot(url, after) == expected
        schema.upgrade(url, after)  # a re-run finds nothing to do
        assert _snapshot(url, after) == expected

        me, pid = Actor.patient(ids["patient"]), ids["patient"]
        history = after.history(me, pid, purpose=Purpose.SELF_CARE)
        assert {x["kind"] for x in history} >= {"symptom_report", "triage", "document", "lab_result",
                                                "consultation", "prescription", "medication"}
        assert after.patient_profile(me, pid, purpose=Purpose.SELF_CARE)["name"] == NAME
        assert after.export_fhir(me, pid)["resourceType"] == "Bundle"
        assert [x["detail"] for x in after.access_log(me, pid)][0]["patient"] == str(pid)

        dump = subprocess.run(["pg_dump", "--no-owner", "--dbname", url], check=True, capture_output=True).stdout
        for secret in (NAME, NAME_HI, PHONE, SYMPTOMS, "Gurleen", "PMC-4711", "Asha Rani", "ANC-2", "sos:KD472",
                       "paani piyo", "Dolo 650", "Haemoglobin", "19/01"):
            assert secret.encode() not in dump, f"{secret!r} in pg_dump"

        # a version-1 copy put back into its own row is refused now (its person was re-sealed)
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(sa.text("UPDATE symptom_reports SET report_enc = :b WHERE id = :i"),
                         {"b": bytes(old_report.report_enc), "i": old_report.id})
        engine.dispose()
        with pytest.raises(CryptoError, match="unbound"):
            after.symptom_report(me, pid, old_report.id, purpose=Purpose.SELF_CARE)
        # a process that cached the person's legacy key before the step refuses it a minute later
        now[0] += LEGACY_KEY_TTL + 1
        with pytest.raises(CryptoError, match="unbound"):
            fresh.symptom_report(me, pid, old_report.id, purpose=Purpose.SELF_CARE)

        # crypto-shredding still works on a re-sealed person: key and rows gone, nothing opens
        with after.sessions() as s:
            copy = bytes(s.execute(sa.text("SELECT details_enc FROM patient_profiles WHERE user_id = :p"),
                                   {"p": pid}).scalar_one())
        after.delete_patient(me, pid)
        again = build_service(url, tmp_path / "master.json", tmp_path / "files")
        with pytest.raises(PatientNotFound):
            again.patient_profile(me, pid, purpose=Purpose.SELF_CARE)
        with again.sessions() as s:
            assert s.scalar(sa.select(DataKeyRow).where(DataKeyRow.user_id == pid)) is None
            keys = [again.vault.unwrap(row) for row in s.scalars(sa.select(DataKeyRow))]
        for key in keys:  # no key left in the database opens the deleted profile
            with pytest.raises(CryptoError):
                key.open(copy, Place("patient_profiles", "details_enc", str(pid)))


def test_the_migration_of_an_unkeyed_caller_refuses_only_when_there_is_something_to_reseal(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        production_secrets: dict[str, str]) -> None:
    url = f"sqlite:///{tmp_path / 'bind.db'}"
    schema.upgrade(url, target="records@head")
    records = build_service(url, tmp_path / "master.json", tmp_path / "files")
    records.get_or_create_patient("sms", PHONE)
    columns = sealed_columns(schema.metadata())
    assert count_unbound(url, columns) == 0
    assert reseal(url, None, columns).values == 0  # bound already: nothing needs the keys
    _to_version_1(url, records)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("SAATHI_VAR_DIR", str(tmp_path / "var"))
    assert main(["db", "current"]) == 0 and "3 sealed values are not yet bound" in capsys.readouterr().out
    with pytest.raises(RuntimeError, match="saathi db upgrade"):
        reseal(url, None, columns)
    report = reseal(url, build_service(url, tmp_path / "master.json", tmp_path / "files"), columns)
    assert (report.people, report.values) == (1, 3)  # the profile, the phone and the sender pseudonym
    assert count_unbound(url, columns) == 0
    assert main(["db", "current"]) == 0 and "not yet bound" not in capsys.readouterr().out
    again = build_service(url, tmp_path / "master.json", tmp_path / "files")
    pid = again.find_user("sms", PHONE)
    assert again.patient_profile(Actor.patient(pid), pid, purpose=Purpose.SELF_CARE) == {"id": str(pid),
                                                                                          "language": "hi"}
