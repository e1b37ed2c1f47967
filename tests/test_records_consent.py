"""Consent enforcement: nobody sees a patient's records without the patient's say-so."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from records import AccessDenied, Actor, Purpose, RecordsService, Role
from records.models import AuditEntry
from tests.support.records import build_service, later, make_doctor, make_patient, pg_url, records_dirs, svc  # noqa: F401

pytestmark = pytest.mark.postgres


def _patient_with_records(svc: RecordsService, make_patient):  # noqa: F811
    pid = make_patient(name="Harjit")
    me = Actor.patient(pid)
    enc = svc.start_encounter(me, pid, purpose=Purpose.TRIAGE, channel="whatsapp")
    rid = svc.save_symptom_report(me, pid, {"text": "khansi", "symptoms": ["cough"]}, purpose=Purpose.TRIAGE,
                                  encounter_id=enc)
    svc.save_triage(me, pid, {"urgency": "routine", "conditions": []}, model_version="t1",
                    purpose=Purpose.TRIAGE, symptom_report_id=rid)
    doc = svc.save_document(me, pid, b"xray", filename="x.jpg", mime="image/jpeg", purpose=Purpose.SELF_CARE,
                            ocr={"doc_type": "imaging", "text": "chest clear"})
    return pid, me, enc, rid, doc


def test_other_patient_is_refused(svc: RecordsService, make_patient) -> None:  # noqa: F811
    pid, *_ = _patient_with_records(svc, make_patient)
    stranger = make_patient()
    with pytest.raises(AccessDenied):
        svc.history(Actor.patient(stranger), pid, purpose=Purpose.SELF_CARE)
    with pytest.raises(AccessDenied):
        svc.export_fhir(Actor.patient(stranger), pid)
    with pytest.raises(AccessDenied):
        svc.grant_consent(Actor.patient(stranger), pid, stranger)


def test_doctor_needs_consent_and_loses_it_on_revoke(svc: RecordsService, make_patient, make_doctor) -> None:  # noqa: F811
    pid, me, *_ = _patient_with_records(svc, make_patient)
    doctor = Actor.doctor(make_doctor(name="Dr Kaur"))
    with pytest.raises(AccessDenied):
        svc.history(doctor, pid, purpose=Purpose.TREATMENT)
    consent_id = svc.grant_consent(me, pid, doctor.user_id)
    kinds = {x["kind"] for x in svc.history(doctor, pid, purpose=Purpose.TREATMENT)}
    assert {"symptom_report", "triage", "document"} <= kinds
    [grant] = svc.who_can_see(me, pid)
    assert grant["name"] == "Dr Kaur" and grant["scope"] == "all"
    with pytest.raises(AccessDenied):  # right person, wrong purpose
        svc.history(doctor, pid, purpose=Purpose.SELF_CARE)
    assert svc.revoke_consent(me, pid, consent_id)
    assert svc.who_can_see(me, pid) == []
    with pytest.raises(AccessDenied):
        svc.history(doctor, pid, purpose=Purpose.TREATMENT)


def test_consent_expires(svc: RecordsService, pg_url: str, records_dirs: tuple[Path, Path],  # noqa: F811
                         make_patient, make_doctor) -> None:  # noqa: F811
    pid, me, *_ = _patient_with_records(svc, make_patient)
    doctor = Actor.doctor(make_doctor())
    svc.grant_consent(me, pid, doctor.user_id)  # default 72 hours
    assert build_service(pg_url, *records_dirs, clock=later(71)).history(doctor, pid, purpose=Purpose.TREATMENT)
    with pytest.raises(AccessDenied):
        build_service(pg_url, *records_dirs, clock=later(73)).history(doctor, pid, purpose=Purpose.TREATMENT)


def test_scopes_limit_what_is_seen(svc: RecordsService, make_patient, make_doctor) -> None:  # noqa: F811
    pid, me, enc, rid, doc = _patient_with_records(svc, make_patient)
    d1, d2 = Actor.doctor(make_doctor()), Actor.doctor(make_doctor())
    svc.grant_consent(me, pid, d1.user_id, scope="documents")
    assert {x["kind"] for x in svc.history(d1, pid, purpose=Purpose.TREATMENT)} == {"document"}
    assert svc.read_document(d1, pid, doc, purpose=Purpose.TREATMENT)[1] == b"xray"
    with pytest.raises(AccessDenied):
        svc.symptom_report(d1, pid, rid, purpose=Purpose.TREATMENT)

    cid = svc.open_consultation(me, pid, d2.user_id, purpose=Purpose.SELF_CARE, reason="cough",
                                encounter_id=enc)
    svc.grant_consent(me, pid, consultation_id=cid)  # scope "consultation", grantee = its doctor
    seen = {x["kind"] for x in svc.history(d2, pid, purpose=Purpose.TREATMENT)}
    assert seen == {"encounter", "symptom_report", "triage", "consultation"}
    with pytest.raises(AccessDenied):
        svc.read_document(d2, pid, doc, purpose=Purpose.TREATMENT)
    rx = svc.save_prescription(d2, pid, cid, [{"name": "Syrup"}], purpose=Purpose.TREATMENT)
    assert rx
    with pytest.raises(AccessDenied):  # d1 is not this consultation's doctor
        svc.save_prescription(d1, pid, cid, [{"name": "X"}], purpose=Purpose.TREATMENT)


def test_admin_and_asha_limits(svc: RecordsService, make_patient) -> None:  # noqa: F811
    pid, me, *_ = _patient_with_records(svc, make_patient)
    admin = Actor.admin(svc.register_staff(Role.ADMIN))
    with pytest.raises(AccessDenied):
        svc.history(admin, pid, purpose=Purpose.PATIENT_REQUEST)
    assert svc.export_fhir(admin, pid)["resourceType"] == "Bundle"  # carrying out the patient's request

    asha = Actor.asha(svc.register_asha(name="Sunita", village="Khanna", area="LDH-01"))
    own = svc.create_patient_by_asha(asha, name="Baldev", phone="+919000011111", village="Khanna",
                                     birth_year=1950, sex="m")
    svc.save_symptom_report(asha, own, {"text": "chakkar"}, purpose=Purpose.ASHA_CARE)
    with pytest.raises(AccessDenied):  # registering a patient does not open their records to the ASHA
        svc.history(asha, own, purpose=Purpose.ASHA_CARE)
    with pytest.raises(AccessDenied):  # and she cannot write to patients she did not register
        svc.save_symptom_report(asha, pid, {"text": "x"}, purpose=Purpose.ASHA_CARE)
    assert svc.get_or_create_patient("sms", "9000011111") == own


def test_denials_are_audited(svc: RecordsService, make_patient, make_doctor) -> None:  # noqa: F811
    pid, *_ = _patient_with_records(svc, make_patient)
    doctor = make_doctor()
    with pytest.raises(AccessDenied):
        svc.history(Actor.doctor(doctor), pid, purpose=Purpose.TREATMENT)
    with svc._sessions() as session:
        last = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).one()
    assert (last.outcome, last.actor_id, last.action) == ("denied", doctor, "read")
    log = svc.access_log(Actor.patient(pid), pid)
    assert log[-1]["outcome"] == "denied" and log[-1]["actor_role"] == "doctor"


def test_directory_and_queue(svc: RecordsService, make_patient, make_doctor) -> None:  # noqa: F811
    doctor = make_doctor(name="Dr Bal", specialty="pediatrician")
    assert any(d["id"] == doctor and d["name"] == "Dr Bal" for d in svc.doctors("pediatrician"))
    pid = make_patient()
    cid = svc.open_consultation(Actor.patient(pid), pid, doctor, purpose=Purpose.SELF_CARE, reason="baby fever")
    [item] = svc.consultations_for(Actor.doctor(doctor))
    assert item["id"] == cid and "reason" not in item
    with pytest.raises(AccessDenied):
        svc.consultations_for(Actor.patient(pid))


def test_one_person_across_channels_and_pseudonym(svc: RecordsService) -> None:  # noqa: F811
    from records.identity import sender_id
    from tests.support.records import TEST_SENDER_SALT

    asha = Actor.asha(svc.register_asha(name="Kamla", village="Jagraon"))
    pid = svc.create_patient_by_asha(asha, name="Pritam", phone="098150 12345")
    assert svc.get_or_create_patient("whatsapp", "whatsapp:+919815012345") == pid
    assert svc.get_or_create_patient("sms", "+91 98150 12345") == pid
    # what the action server sees: the gateway's salted pseudonym of the number
    assert svc.get_or_create_patient("sender", sender_id("whatsapp:+919815012345", TEST_SENDER_SALT)) == pid
