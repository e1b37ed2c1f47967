"""The acid test of encryption at rest: dump the database and read the file store as an attacker
would, and look for anything the scripted patient told us."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from records import Actor, Purpose, RecordsService
from tests.support.records import make_doctor, pg_url, records_dirs, svc  # noqa: F401

pytestmark = pytest.mark.postgres

NAME = "Jaswinder Kaur Dhillon"
NAME_HI = "जसविंदर कौर"
PHONE = "+91 98123 98123"
SYMPTOM_WORDS = ["bukhar", "khoon ki ulti", "saans phoolna", "hemoptysis", "chest_pain"]
DOC_TEXT = "HIV-1 ELISA REACTIVE sample 77815"
DOCTOR = "Navjot Sidhu"
VILLAGE = "Raikot"
SECRETS = [NAME, NAME_HI, "Jaswinder", "Dhillon", "9812398123", "98123 98123", DOCTOR, VILLAGE, DOC_TEXT,
           "ELISA", "REACTIVE", "Dengue", "pregnan", *SYMPTOM_WORDS]  # (too-short codes like A97 occur in hex)


def _script(svc: RecordsService, make_doctor) -> None:  # noqa: F811
    pid = svc.get_or_create_patient("whatsapp", PHONE, "hi")
    me = Actor.patient(pid)
    svc.update_patient_profile(me, pid, purpose=Purpose.SELF_CARE, name=NAME, village=VILLAGE, sex="f",
                               birth_year=1995)
    enc = svc.start_encounter(me, pid, purpose=Purpose.TRIAGE, channel="whatsapp")
    text = f"mera naam {NAME_HI}, mujhe bukhar hai, khoon ki ulti, saans phoolna; pregnant hoon"
    svc.add_transcript_line(me, pid, enc, "patient", text, purpose=Purpose.TRIAGE)
    rid = svc.save_symptom_report(me, pid, {"text": text, "symptoms": ["hemoptysis", "chest_pain"]},
                                  purpose=Purpose.TRIAGE, encounter_id=enc)
    svc.save_triage(me, pid, {"urgency": "emergency", "conditions": [
        {"name": "Dengue fever", "icd10": "A97", "probability": 0.3}]}, model_version="triage-v1",
        purpose=Purpose.TRIAGE, symptom_report_id=rid)
    svc.save_document(me, pid, f"%PDF-1.4 {DOC_TEXT} {NAME}".encode(), filename=f"{NAME}.pdf",
                      mime="application/pdf", purpose=Purpose.SELF_CARE,
                      ocr={"doc_type": "lab_report", "text": DOC_TEXT,
                           "lab_results": [{"test": "HIV-1 ELISA", "value": "REACTIVE"}]})
    doctor = make_doctor(name=DOCTOR, specialty="gynecologist")
    cid = svc.open_consultation(me, pid, doctor, purpose=Purpose.SELF_CARE, reason="bukhar", encounter_id=enc)
    svc.grant_consent(me, pid, consultation_id=cid)
    svc.history(Actor.doctor(doctor), pid, purpose=Purpose.TREATMENT)


def test_pg_dump_and_file_store_hold_no_plaintext(svc: RecordsService, pg_url: str,  # noqa: F811
                                                  records_dirs: tuple[Path, Path], make_doctor) -> None:  # noqa: F811
    _script(svc, make_doctor)
    dump = subprocess.run(["pg_dump", "--no-owner", "--dbname", pg_url], check=True, capture_output=True).stdout
    assert b"COPY public.symptom_reports" in dump and len(dump) > 10_000  # the dump is real
    files = [p for p in records_dirs[1].rglob("*") if p.is_file()]
    assert files
    haystacks = {"pg_dump": dump, **{f"file {p.name}": p.read_bytes() for p in files}}
    for where, data in haystacks.items():
        lowered = data.lower()
        for secret in SECRETS:
            for encoding in ("utf-8", "utf-16-le"):
                assert secret.lower().encode(encoding) not in lowered, f"{secret!r} in clear in {where}"
