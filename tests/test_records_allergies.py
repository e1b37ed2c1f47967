"""Allergies as a records field (issue #20 item 2): sealed like other health data, written by the
patient (chat) or a consented doctor, read by any doctor the patient consented to, gone with the
patient; a prescriber's override of a serious warning is a sealed entry of the audit chain."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from records import AccessDenied, Actor, Purpose, RecordsService
from records.audit import entries_about
from tests.support.records import make_doctor, make_patient, pg_url, records_dirs, svc  # noqa: F401, F811

pytestmark = pytest.mark.postgres


def test_allergies_are_sealed_deduplicated_consented_and_deleted(svc: RecordsService, make_patient, make_doctor):  # noqa: F811
    pid, doctor, stranger = make_patient(), make_doctor("Dr Allergy"), make_doctor("Dr Stranger")
    me = Actor.patient(pid)
    first = svc.add_allergy(me, pid, "penicillin", allergen="penicillin", purpose=Purpose.SELF_CARE)
    assert first is not None
    assert svc.add_allergy(me, pid, "पेनिसिलिन", allergen="penicillin", purpose=Purpose.SELF_CARE) is None
    assert svc.add_allergy(me, pid, "  Penicillin ", purpose=Purpose.SELF_CARE) is None  # same words
    with svc.sessions() as s:
        raw = s.execute(text("SELECT details_enc FROM allergies WHERE patient_id = :p"), {"p": pid}).scalars().all()
    assert len(raw) == 1 and b"penicillin" not in raw[0]
    with pytest.raises(AccessDenied):
        svc.allergies(Actor.doctor(stranger), pid, purpose=Purpose.TREATMENT)
    consultation = svc.open_consultation(me, pid, doctor, reason="fever", purpose=Purpose.SELF_CARE)
    svc.grant_consent(me, pid, consultation_id=consultation)
    dr = Actor.doctor(doctor)
    second = svc.add_allergy(dr, pid, "sulfa", allergen="sulfa", source="doctor", purpose=Purpose.TREATMENT)
    assert [(a["substance"], a["source"]) for a in svc.allergies(dr, pid, purpose=Purpose.TREATMENT)] == [
        ("penicillin", "patient"), ("sulfa", "doctor")]
    assert svc.remove_allergy(dr, pid, second, purpose=Purpose.TREATMENT) is True
    assert svc.remove_allergy(dr, pid, second, purpose=Purpose.TREATMENT) is False
    svc.note_decision(dr, pid, resource="rx_safety", purpose=Purpose.TREATMENT,
                      detail={"overridden": ["allergy:amoxicillin:penicillin"], "reason": "tested negative in 2024"})
    with svc.sessions() as s:
        key = svc.vault.for_user(s, pid)
        override = [e for e in entries_about(s, key) if e["action"] == "override"]
        clear = s.execute(text("SELECT count(*) FROM audit_log WHERE action = 'override' "
                               "AND resource = 'rx_safety'")).scalar()
    assert len(override) == 1 and override[0]["detail"]["reason"] == "tested negative in 2024" and clear == 1
    assert svc.verify_audit().ok
    with pytest.raises(AccessDenied):
        svc.note_decision(Actor.doctor(stranger), pid, resource="rx_safety", purpose=Purpose.TREATMENT, detail={})
    exported = [e["resource"] for e in svc.export_fhir(me, pid)["entry"]
                if e["resource"]["resourceType"] == "AllergyIntolerance"]  # validated FHIR R4
    assert [(r["code"]["text"], r["category"]) for r in exported] == [("penicillin", ["medication"])]
    svc.delete_patient(me, pid)
    with svc.sessions() as s:
        assert s.execute(text("SELECT count(*) FROM allergies WHERE patient_id = :p"), {"p": pid}).scalar() == 0
