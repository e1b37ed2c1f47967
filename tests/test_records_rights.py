"""Patient rights: FHIR R4 export, "delete my data" (crypto-shredding), transcript retention."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from fhir.resources.R4B.bundle import Bundle
from sqlalchemy import select, text

from records import Actor, PatientNotFound, Purpose, RecordsService
from records.audit import subject_tag
from records.crypto import DataKey
from records.models import AuditEntry, Base
from tests.support.records import build_service, make_doctor, make_patient, pg_url, records_dirs, svc  # noqa: F401

pytestmark = pytest.mark.postgres

OCR = {
    "doc_type": "prescription", "text": "Dolo 650 1-0-1 x 5 days; Hb 9.8",
    "medications": [{"name": "Dolo 650", "generic": "paracetamol", "strength": "650 mg", "form": "tablet",
                     "frequency": "1-0-1", "times_per_day": 2, "duration_days": 5}],
    "lab_results": [{"test": "Haemoglobin", "value": 9.8, "unit": "g/dL", "ref_low": 12.0, "ref_high": 15.5,
                     "flag": "low"}],
}
TRIAGE = {"urgency": "urgent", "specialist": "general_physician", "conditions": [
    {"name": "Dengue fever", "icd10": "A97", "probability": 0.41},
    {"name": "Malaria", "icd10": "B54", "probability": 0.2},
    {"name": "Typhoid fever", "icd10": "A01.0", "probability": 0.1}]}


def _full_patient(svc: RecordsService, make_patient, make_doctor):  # noqa: F811
    pid = make_patient(name="Kulwinder Kaur", birth_year=1988, sex="f", village="Moga")
    me = Actor.patient(pid)
    enc = svc.start_encounter(me, pid, purpose=Purpose.TRIAGE, channel="whatsapp")
    svc.add_transcript_line(me, pid, enc, "patient", "teen din se bukhar", purpose=Purpose.TRIAGE)
    rid = svc.save_symptom_report(me, pid, {"text": "teen din se bukhar", "symptoms": ["fever", "headache"]},
                                  purpose=Purpose.TRIAGE, encounter_id=enc)
    svc.save_triage(me, pid, TRIAGE, model_version="triage-test", purpose=Purpose.TRIAGE,
                    symptom_report_id=rid)
    doc = svc.save_document(me, pid, b"%PDF fake prescription", filename="rx.pdf", mime="application/pdf",
                            ocr=OCR, purpose=Purpose.SELF_CARE)
    doctor = make_doctor()
    cid = svc.open_consultation(me, pid, doctor, purpose=Purpose.SELF_CARE, reason="fever", encounter_id=enc)
    svc.grant_consent(me, pid, consultation_id=cid)
    svc.save_prescription(Actor.doctor(doctor), pid, cid, [{"name": "ORS", "frequency": "after each stool"}],
                          purpose=Purpose.TREATMENT)
    return pid, me, doc


def test_fhir_export_is_valid_r4(svc: RecordsService, make_patient, make_doctor) -> None:  # noqa: F811
    pid, me, _ = _full_patient(svc, make_patient, make_doctor)
    bundle = svc.export_fhir(me, pid)
    Bundle.model_validate(json.loads(json.dumps(bundle)))  # round-trips through JSON and validates again
    types = [e["resource"]["resourceType"] for e in bundle["entry"]]
    for rt in ("Patient", "Condition", "Observation", "MedicationStatement", "DocumentReference", "Encounter"):
        assert rt in types, rt
    patient = bundle["entry"][0]["resource"]
    assert patient["name"][0]["text"] == "Kulwinder Kaur" and patient["gender"] == "female"
    conditions = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Condition"]
    assert conditions[0]["code"]["coding"][0] == {"system": "http://hl7.org/fhir/sid/icd-10", "code": "A97",
                                                  "display": "Dengue fever"}
    meds = {e["resource"]["medicationCodeableConcept"]["text"] for e in bundle["entry"]
            if e["resource"]["resourceType"] == "MedicationStatement"}
    assert meds == {"Dolo 650", "ORS"}
    labs = [e["resource"] for e in bundle["entry"] if e["resource"].get("valueQuantity")]
    assert labs[0]["valueQuantity"]["value"] == 9.8


def test_delete_leaves_nothing_readable(svc: RecordsService, make_patient, make_doctor) -> None:  # noqa: F811
    pid, me, doc = _full_patient(svc, make_patient, make_doctor)
    key: DataKey = svc.vault.for_user(svc._sessions(), pid)
    tag = subject_tag(key)
    files_before = set(svc.store.keys())
    with svc._sessions() as s:
        blob = s.execute(text("select blob_key from documents where id = :d"), {"d": doc}).scalar_one()
    assert blob in files_before

    assert svc.delete_patient(me, pid) == 1
    assert blob not in set(svc.store.keys())
    with svc._sessions() as s:
        for table in Base.metadata.sorted_tables:
            for col in ("patient_id", "user_id", "id"):
                if col in table.c and (col != "id" or table.name == "users"):
                    n = s.execute(select(table.c[col]).where(table.c[col] == pid)).first()
                    assert n is None, f"{table.name}.{col} still mentions the patient"
        # Earlier audit entries survive (chain intact) but can no longer be tied to or opened for anyone.
        old = list(s.scalars(select(AuditEntry).where(AuditEntry.subject_tag == tag)))
        assert old and all(e.actor_id is None or e.actor_id != pid for e in old)
        last = s.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).one()
        assert (last.action, last.resource, last.subject_tag, last.detail_enc) == ("delete", "patient", None, None)
    svc.vault.forget(pid)
    with pytest.raises(PatientNotFound):
        svc.history(me, pid, purpose=Purpose.SELF_CARE)
    assert svc.verify_audit().ok
    assert svc.find_user("whatsapp", "x") is None


def test_transcript_retention(svc: RecordsService, pg_url: str, records_dirs: tuple[Path, Path],  # noqa: F811
                              make_patient) -> None:  # noqa: F811
    pid = make_patient()
    me = Actor.patient(pid)
    enc = svc.start_encounter(me, pid, purpose=Purpose.TRIAGE)
    svc.add_transcript_line(me, pid, enc, "patient", "pet mein dard", purpose=Purpose.TRIAGE)
    assert len(svc.transcript(me, pid, enc, purpose=Purpose.SELF_CARE)) == 1
    svc.purge_transcripts()  # nothing of this patient is old yet
    assert len(svc.transcript(me, pid, enc, purpose=Purpose.SELF_CARE)) == 1
    future = build_service(pg_url, *records_dirs, clock=lambda: dt.datetime.now(dt.timezone.utc)
                           + dt.timedelta(days=91))
    assert future.purge_transcripts() >= 1
    assert svc.transcript(me, pid, enc, purpose=Purpose.SELF_CARE) == []
