"""Health records: encrypted storage, consent, audit and patient rights for Sehat Saathi.

The bot and the portal use only this small API (everything else in the package is internal)::

    from records import RecordsService, Actor, Purpose
    svc = RecordsService(session_factory, keys, store)   # a process's root builds it once (engine.services)

    pid = svc.get_or_create_patient("whatsapp", "+919812345678", "hi")   # -> UUID
    me = Actor.patient(pid)                       # the bot acts as the patient it talks to
    rid = svc.save_symptom_report(me, pid, {"text": ..., "symptoms": [...]}, purpose=Purpose.TRIAGE)
    svc.save_triage(me, pid, triage_json, model_version="triage-1.2", symptom_report_id=rid,
                    purpose=Purpose.TRIAGE)
    doc = svc.save_document(me, pid, jpeg_bytes, filename="rx.jpg", mime="image/jpeg",
                            ocr=ocr_json, purpose=Purpose.SELF_CARE)
    cid = svc.open_consultation(me, pid, doctor_id, reason=..., purpose=Purpose.SELF_CARE)
    svc.grant_consent(me, pid, consultation_id=cid)            # 72 h, that doctor, scope "consultation"
    svc.grant_consent(me, pid, doctor_id, scope="all", hours=24)
    svc.who_can_see(me, pid); svc.revoke_consent(me, pid, consent_id)

    doctor = Actor.doctor(doctor_id)
    svc.history(doctor, pid, purpose=Purpose.TREATMENT)        # only what the consent covers
    svc.save_prescription(doctor, pid, cid, items, purpose=Purpose.TREATMENT)

    svc.export_fhir(me, pid)        # FHIR R4 Bundle (dict), validated with fhir.resources.R4B
    svc.delete_patient(me, pid)     # crypto-shred + delete rows and files
    asha_pid = svc.create_patient_by_asha(Actor.asha(asha_id), name=..., phone=..., village=...)
    svc.doctors("pediatrician"); svc.consultations_for(doctor)   # directory and a doctor's queue
    svc.access_log(me, pid)        # "who looked at my records?"

Wording for people (hi/pa/en) is in data/messages/records.yml; ``engine.records_text.who_can_see``
renders the consent list.

Every call that touches a patient's records takes an :class:`Actor` and a :class:`Purpose`, is
authorised in :mod:`records.access` and leaves an entry in the hash-chained audit log
(:mod:`records.audit`). Refusals raise :class:`AccessDenied` (also audited); unknown or deleted
patients raise :class:`PatientNotFound`.

Lower level: ``records.db.make_engine(url)``, ``records.db.make_session_factory(engine)``,
``records.crypto.FileKeyProvider`` / ``EnvKeyProvider``,
``records.storage.LocalFileStore`` / ``S3Store``.
"""

from records.access import AccessDenied, Actor, Purpose
from records.models import Role
from records.service import PatientNotFound, RecordsService

__all__ = ["AccessDenied", "Actor", "PatientNotFound", "Purpose", "RecordsService", "Role"]
