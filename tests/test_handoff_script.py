"""Messages about a doctor's consultation sent later (the reminder, the follow-up) come in the script
the patient last wrote in (issue #19 item 3): the gateway remembers it per sender
(engine.i18n.script_key) and the handoff service reads it when it sends (engine.handoff.service)."""

from __future__ import annotations

import re

import pytest

from engine.i18n import LATIN, NATIVE, script_key
from engine.services import current
from records.identity import sender_id
from tests.support import portal as testing
from tests.support.portal import TRIAGE

pytestmark = pytest.mark.postgres
world = testing.world  # the module's fixture (tests/support/portal.py)
INDIC = re.compile(r"[\u0900-\u097f\u0a00-\u0a7f]")


def test_the_consultation_reminder_follows_the_script_the_patient_last_wrote_in(world):
    from portal import jobs as portal_jobs

    doc, _, _ = world.doctor("Script Doctor", phone="+919800000021")
    world.slot(doc, in_minutes=180)
    phone = "+919811100021"
    pid = world.patient(phone)
    remembered = script_key(sender_id(phone, world.settings.sender_salt))
    store = current().sender.store  # the process's sender, whose store the handoff reads scripts from
    offer = world.handoff.request_doctor(pid, text="teen din se bukhar hai", triage=TRIAGE, language="hi")
    booking = world.handoff.choose(pid, next(o for o in offer.options if o.doctor_id == str(doc)).number)

    store.set(remembered, LATIN, ttl=600)  # "mujhe bukhar hai": the gateway answered in Latin letters
    assert portal_jobs.remind(str(booking.case_id), "patient")
    latin = world.standin.sent_messages(f"whatsapp:{phone}")[-1]["Body"][0]
    assert latin.startswith("Yaad dila dein") and not INDIC.search(latin), latin

    store.set(remembered, NATIVE, ttl=600)  # then wrote in Devanagari
    assert portal_jobs.remind(str(booking.case_id), "patient")
    assert "याद" in world.standin.sent_messages(f"whatsapp:{phone}")[-1]["Body"][0]
