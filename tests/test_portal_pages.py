"""Admin, ASHA and history pages; the portal tables' migration and what they keep encrypted."""

from __future__ import annotations

import pytest
from sqlalchemy import LargeBinary, inspect, text

from portal import testing
from portal.testing import PASSWORD, csrf_from
from records import Actor, Purpose, Role
from records.portal_models import PORTAL_TABLES, PortalBase
from records.types import Encrypted

pytestmark = pytest.mark.postgres
world = testing.world


def test_admin_creates_a_doctor_who_then_enrols(world):
    admin, _, _ = world.staff(Role.ADMIN)
    client = world.client(admin)
    page = client.get("/admin/").get_data(as_text=True)
    assert "general_physician" in page
    r = client.post("/admin/users", data={
        "role": "doctor", "name": "Gurpreet Kaur", "username": "dr.gurpreet", "password": "Strong-Pass-123",
        "specialty": "gynecologist", "registration": "PMC-77", "languages": ["pa", "hi"], "phone": "+919844400001",
        "csrf_token": csrf_from(page)})
    assert r.status_code == 302
    listing = client.get("/admin/").get_data(as_text=True)
    assert "dr.gurpreet" in listing and "not set" in listing
    result = world.accounts.login("dr.gurpreet", "Strong-Pass-123")
    assert result.user.role == "doctor" and not result.user.totp_enabled
    doctor = next(d for d in world.records.doctors("gynecologist") if d["name"] == "Gurpreet Kaur")
    assert doctor["languages"] == ["hi", "pa"]
    weak = client.post("/admin/users", data={"role": "asha", "name": "X", "username": "weak", "password": "short",
                                             "csrf_token": csrf_from(listing)})
    assert weak.status_code == 302 and world.accounts.login("weak", "short").user is None
    # deactivate: the account can no longer sign in
    uid = result.user.id
    client.post(f"/admin/users/{uid}/deactivate", data={"csrf_token": csrf_from(listing)})
    assert world.accounts.login("dr.gurpreet", "Strong-Pass-123").user is None


def test_asha_sees_only_her_area(world):
    mine, _, _ = world.staff(Role.ASHA, area="block-A")
    colleague, _, _ = world.staff(Role.ASHA, area="block-A")
    elsewhere, _, _ = world.staff(Role.ASHA, area="block-B")
    p1 = world.records.create_patient_by_asha(Actor.asha(mine), name="Kamla", village="Rampur")
    world.records.create_patient_by_asha(Actor.asha(colleague), name="Bimla", village="Rampur")
    world.records.create_patient_by_asha(Actor.asha(elsewhere), name="Far Away Person", village="Sultanpur")
    world.handoff.request_doctor(p1, text="बुखार", triage=testing.TRIAGE, language="hi")
    world.records.grant_consent(Actor.patient(p1), p1, mine, hours=24)
    page = world.client(mine).get("/asha").get_data(as_text=True)
    assert "Kamla" in page, "her consenting patient is shown by name"
    assert "consent needed" in page, "the colleague's patient is listed without details"
    assert "Far Away Person" not in page and page.count('class="card"><div class="row">') == 2
    assert "urgent" in page  # the open case's urgency
    other = world.client(elsewhere).get("/asha").get_data(as_text=True)
    assert "Kamla" not in other and "Bimla" not in other


def test_asha_registers_a_patient(world):
    asha, _, _ = world.staff(Role.ASHA, area="block-C")
    client = world.client(asha)
    page = client.get("/asha").get_data(as_text=True)
    r = client.post("/asha", data={"name": "Naya Patient", "village": "Kheri", "birth_year": "1990", "sex": "f",
                                   "language": "hi", "csrf_token": csrf_from(page)})
    assert r.status_code == 302
    assert "registered by you" in client.get("/asha").get_data(as_text=True)


def test_history_timeline_newest_first_for_consented_doctor(world):
    doc, _, _ = world.doctor("History Doctor")
    pid, _ = world.booked_case(doc)
    world.records.save_document(Actor.patient(pid), pid, b"fake", filename="cbc.jpg", mime="image/jpeg",
                                purpose=Purpose.SELF_CARE, ocr={"doc_type": "lab_report", "text": "Hb 9.8",
                                                                "lab_results": [{"test": "Haemoglobin", "value": 9.8,
                                                                                 "unit": "g/dL", "flag": "low"}]})
    page = world.client(doc).get(f"/patients/{pid}/history").get_data(as_text=True)
    assert "Haemoglobin" in page and "lab report" in page.replace("_", " ")
    assert page.index("lab result") < page.index("consultation"), "newest first"


def test_portal_tables_migrate_and_keep_health_data_sealed(world):
    engine = world.records.sessions.kw["bind"]
    tables = set(inspect(engine).get_table_names())
    assert set(PORTAL_TABLES) <= tables and "portal_alembic_version" in tables
    plain_ok = {"user_id", "username", "password_hash", "totp_enabled", "totp_last_step", "failed_logins",
                "locked_until", "reset_code_hash", "reset_expires_at", "active", "on_duty", "created_at", "jti",
                "expires_at", "used_at", "id", "doctor_id", "starts_at", "ends_at", "case_id", "patient_id",
                "status", "priority", "specialty", "language", "channel", "consultation_id", "scheduled_at",
                "offered", "day", "model_version", "features", "confirmed_icd10",
                "follow_up_on"}  # a date alone, kept clear so a restarted portal re-arms the reminder
    for name in PORTAL_TABLES:
        for col in PortalBase.metadata.tables[name].columns:
            if isinstance(col.type, Encrypted):
                assert col.name.endswith("_enc")
                continue
            assert col.name in plain_ok, f"{name}.{col.name}"
            assert not isinstance(col.type, LargeBinary)
    doc, _, _ = world.doctor("Dump Doctor")
    world.booked_case(doc, text="गुप्त-लक्षण-शब्द")
    with engine.connect() as conn:
        for name in PORTAL_TABLES:
            for row in conn.execute(text(f"select * from {name}")):
                assert not any(isinstance(v, str) and "गुप्त" in v for v in row)
                assert "गुप्त".encode() not in b"".join(v for v in row if isinstance(v, bytes | memoryview))


def test_password_hashes_are_argon2(world):
    uid, _, _ = world.doctor("Hash Doctor")
    from records.portal_models import PortalAccount

    with world.records.sessions() as s:
        row = s.get(PortalAccount, uid)
    assert row.password_hash.startswith("$argon2id$") and PASSWORD not in row.password_hash
    assert row.totp_secret_enc is not None
