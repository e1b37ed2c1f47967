"""ASHA commands with the real doctor handoff and portal (PostgreSQL): REFER queues a case the
doctor sees, an emergency VISIT queues an emergency case, and patients registered by SMS appear on
the ASHA's portal page (consent given in person lets her read their name)."""

from __future__ import annotations

import re

from engine.asha import AshaService, migrate
from records.db import make_engine, make_session_factory
from tests.support import portal as testing
from tests.support.asha import SALT, new_phone

world = testing.world  # the module's fixture (tests/support/portal.py)


def test_refer_and_emergency_reach_the_doctor_queue_and_the_asha_page(world):
    url = world.records.sessions.kw["bind"].url.render_as_string(hide_password=False)
    migrate(url)

    def refer(patient_id, *, text, triage, language):
        world.handoff.request_doctor(patient_id, text=text, triage=triage, language=language, channel="sms")

    from records.identity import sender_id
    from tests.test_asha_commands import fake_triage

    asha = AshaService(make_session_factory(make_engine(url)), world.records, referrer=refer, triage_fn=fake_triage)
    phone = new_phone()
    uid = asha.register_worker(name="Sunita Devi", village="Rampur", area="Rampur-1", language="hi", phone=phone,
                               phone_hash=sender_id(phone, SALT))
    assert asha.verify(sender_id(phone, SALT), asha.issue_code(uid))
    worker = asha.worker(sender_id(phone, SALT))
    doctor, _, _ = world.doctor(languages=("hi", "en"))

    sita = re.findall(r"[A-Z]{2}\d{3}", asha.handle(worker, "REG Sita Devi 25 F Rampur"))[-1]
    ram = re.findall(r"[A-Z]{2}\d{3}", asha.handle(worker, "REG Ram Lal 60 M Rampur"))[-1]
    asha.handle(worker, f"REFER {sita}")
    asha.handle(worker, f"VISIT {ram} behosh")
    queue = world.handoff.queue(doctor)
    priorities = sorted(item.priority for item in queue)
    assert len(queue) >= 2 and priorities[0] == 0  # the emergency first

    world._login_for(uid, None, True)
    page = world.client(uid).get("/asha").get_data(as_text=True)
    assert "Sita Devi" in page and "Ram Lal" in page
