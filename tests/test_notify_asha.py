"""Notifications from ASHA work: antenatal check-up reminders to the patient, the ASHA's daily summary."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from engine.i18n import t
from engine.notify import NotifyService, migrate, producers, timing
from engine.notify.addresses import RecordsAddressBook, RecordsSealer
from engine.notify.jobs import set_service
from records.db import make_engine, make_session_factory
from tests.support.asha import SALT, new_phone, verified_worker
from tests.support.notify import DictState, ManualScheduler, RecordingTransport

pytest_plugins = ["tests.asha_fixtures"]


@pytest.fixture
def notify(asha, asha_db, clock):
    from tests.test_asha_commands import fake_triage

    migrate(asha_db[0])
    svc = NotifyService(make_session_factory(make_engine(asha_db[0])), RecordsAddressBook(asha.records, SALT),
                        RecordingTransport(), DictState(), ManualScheduler(), clock=clock,
                        sealer=RecordsSealer(asha.records))
    asha._triage = fake_triage
    asha.on_due = lambda pid, due, ref: producers.checkup_reminder(svc, pid, due, ref=ref)
    set_service(svc)
    yield svc
    set_service(None)


def test_pregnancy_schedules_checkup_reminders_for_the_patient(asha, notify, clock):
    worker = verified_worker(asha, new_phone(), language="en")
    phone = new_phone()
    code = re.findall(r"[A-Z]{2}\d{3}", asha.handle(worker, f"REG Sita 25 F Dhuri {phone}"))[-1]
    asha.handle(worker, f"PREG {code} LMP 01/09/26")
    jobs = notify.scheduler.jobs
    assert [j[0] for j in jobs] == [timing.at_ist(dt.date(2027, 1, 18), 9), timing.at_ist(dt.date(2027, 3, 15), 9),
                                    timing.at_ist(dt.date(2027, 5, 10), 9)]
    asha.handle(worker, f"PREG {code} LMP 01/09/26 again")  # no new reminders for the same visits
    assert len(notify.scheduler.jobs) == 3
    clock.now = jobs[0][0]
    notify.scheduler.run_due(clock.now)
    assert notify.transport.sent == [{"to": phone, "body": t("asha_notify_checkup", "en", "sms", date="19/01")}]


def test_daily_summary_reaches_each_asha_once_in_her_language(asha, notify, clock):
    worker = verified_worker(asha, new_phone(), language="pa")
    code = re.findall(r"[A-Z]{2}\d{3}", asha.handle(worker, "REG Sita 25 F Dhuri"))[-1]
    asha.handle(worker, f"VISIT {code} bukhar")  # follow-up due tomorrow (urgent)
    tomorrow = clock.now.astimezone(timing.IST).date() + dt.timedelta(days=1)
    assert producers.daily_summaries(notify, asha, tomorrow) >= 1
    assert producers.daily_summaries(notify, asha, tomorrow) == 0  # already scheduled
    clock.now = timing.at_ist(tomorrow, 8)
    notify.scheduler.run_due(clock.now)
    bodies = [m["body"] for m in notify.transport.sent]
    assert any(b.startswith("ਸ਼ੁਭ ਸਵੇਰ!") and f"{code} VISIT" in b for b in bodies)


def test_emergency_reaches_the_registering_asha_and_the_area_ashas_once_each(asha, notify, clock):
    """Patient of village A registered by ASHA B (who serves B): B and A's ASHA hear of it, C's not."""
    import uuid

    from records import Actor, Purpose

    suffix = uuid.uuid4().hex[:6]
    village_a, village_b, village_c = f"Kanjhla{suffix}", f"Bhasaur{suffix}", f"Barnala{suffix}"
    phones = {name: new_phone() for name in "ABC"}
    a = verified_worker(asha, phones["A"], language="pa", village=village_a)
    b = verified_worker(asha, phones["B"], language="en", village=village_b)
    c = verified_worker(asha, phones["C"], language="hi", village=village_c, serves=[village_c, "Sangrur"])
    code = re.findall(r"[A-Z]{2}\d{3}", asha.handle(b, f"REG Sita 25 F {village_a.upper()}."))[-1]
    patient = asha._patient(b, code).patient_id
    assert asha.patient_village(patient, Actor.patient(patient), Purpose.TRIAGE) == f"{village_a.upper()}."
    assert [(r.asha_id, r.registrar) for r in asha.responders(patient, village_a)] == [(b.user_id, True),
                                                                                      (a.user_id, False)]

    assert producers.alert_patients_asha(notify, asha, patient) == 2  # the bot triaged an emergency
    assert producers.alert_patients_asha(notify, asha, patient) == 0  # nobody twice
    notify.scheduler.run_due(clock.now)
    sent = {m["to"]: m["body"] for m in notify.transport.sent}
    assert sent[phones["B"]] == t("asha_notify_emergency", "en", "sms", code=code)
    assert sent[phones["A"]] == t("asha_notify_emergency_area", "pa", "sms", code=code,
                                  village=f"{village_a.upper()}.")
    assert phones["C"] not in sent and len(notify.transport.sent) == 2
    assert c.user_id not in {r.asha_id for r in asha.responders(patient, village_a)}

    # B reports an emergency on a visit: A's ASHA hears of it; B is there; C is not told
    clock.advance(hours=1)
    asha.alerts = producers.asha_alerts(notify, asha)
    asha.handle(b, f"VISIT {code} behosh")
    notify.scheduler.run_due(clock.now)
    assert [m["to"] for m in notify.transport.sent[2:]] == [phones["A"]]

    asha.set_active(a.user_id, False)  # a deactivated ASHA is not alerted
    assert [r.asha_id for r in asha.responders(patient, village_a)] == [b.user_id]
