"""Notifications with a controllable clock: IST times, quiet hours, opt-out, retries, dedupe, routes."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from engine.notify import Recipient, migrate, producers, timing
from tests.support.asha import Clock
from tests.support.notify import ist, serving, stand_in_service

PATIENT, ASHA = uuid.uuid4(), uuid.uuid4()
PHONE = "+919812300001"


@pytest.fixture
def world(tmp_path):
    url = f"sqlite:///{tmp_path / 'notify.db'}"
    migrate(url)
    clock = Clock(ist(26, 10))
    people = {PATIENT: Recipient(PHONE, "hi", "u-patient"), ASHA: Recipient("+919812300002", "pa", "u-asha")}
    templates = {"asha_notify_medicine": {"variables": ["time"], "content_sid": {"hi": "HXhi", "pa": "HXpa", "en": ""}}}
    with serving(stand_in_service(url, people, clock=clock, templates=templates)) as svc:
        yield svc, clock, svc.scheduler, svc.transport, svc.state


def test_dose_patterns():
    assert timing.dose_slots("1-0-1") == ["morning", "night"]
    assert timing.dose_slots("1-1-1-1") == ["morning", "noon", "evening", "night"]
    assert timing.dose_slots("0 0 1") == ["night"]
    with pytest.raises(ValueError):
        timing.dose_slots("BD")


def test_medicine_reminders_at_the_chosen_ist_times(world):
    svc, clock, scheduler, transport, _ = world
    n = producers.medicine_reminders(svc, PATIENT, [{"frequency": "1-0-1", "days": 2}], ref="rx1",
                                     start=dt.date(2026, 11, 26), times={"night": dt.time(21, 30)})
    # today 08:00 has passed at 10:00: today 21:30, tomorrow 08:00 and 21:30
    assert n == 3 and [j[0] for j in scheduler.jobs] == [ist(26, 21, 30), ist(27, 8), ist(27, 21, 30)]
    assert producers.medicine_reminders(svc, PATIENT, [{"frequency": "1-0-1", "days": 2}], ref="rx1",
                                        start=dt.date(2026, 11, 26), times={"night": dt.time(21, 30)}) == 0
    clock.now = ist(26, 21, 29)
    assert scheduler.run_due(clock.now) == 0 and transport.sent == []
    clock.now = ist(26, 21, 30)
    assert scheduler.run_due(clock.now) == 1
    assert transport.sent == [{"to": PHONE, "body": "सेहत साथी: 21:30 की दवा का समय। रिमाइंडर बंद करने को STOP भेजें।"}]


def test_quiet_hours_move_reminders_to_the_morning_but_not_emergencies(world):
    svc, clock, scheduler, transport, _ = world
    producers.medicine_reminders(svc, PATIENT, [{"frequency": "0-0-1", "days": 1}], ref="rx2",
                                 start=dt.date(2026, 11, 26), times={"night": dt.time(23, 0)})
    assert scheduler.jobs[-1][0] == ist(27, 7)  # 23:00 is quiet: 07:00 next morning
    assert timing.in_quiet_hours(ist(26, 22), 22, 7) and not timing.in_quiet_hours(ist(27, 7), 22, 7)
    clock.now = ist(26, 23, 30)
    producers.emergency_alert(svc, ASHA, "KD472", PATIENT)
    assert scheduler.run_due(clock.now) == 1
    assert transport.sent[-1]["to"] == "+919812300002" and "KD472" in transport.sent[-1]["body"]
    assert "ਐਮਰਜੈਂਸੀ" in transport.sent[-1]["body"]
    # a second alert for the same patient within the hour is a duplicate
    assert not producers.emergency_alert(svc, ASHA, "KD472", PATIENT)


def test_opt_out_retry_backoff_and_delivery_status(world):
    svc, clock, scheduler, transport, state = world
    state.values["optout:u-patient"] = True
    row = svc.schedule(PATIENT, "asha_notify_checkup", {"date": "01/12"}, clock.now, dedupe="c1", kind="checkup")
    scheduler.run_due(clock.now)
    assert transport.sent == [] and svc.delivery(row) == "opted_out"
    del state.values["optout:u-patient"]
    transport.failures = 2
    row = svc.schedule(PATIENT, "asha_notify_checkup", {"date": "01/12"}, clock.now, dedupe="c2", kind="checkup")
    scheduler.run_due(clock.now)
    assert svc.pending(PATIENT)[0].attempts == 1 and scheduler.jobs[-1][0] == clock.now + dt.timedelta(minutes=1)
    clock.advance(minutes=1)
    scheduler.run_due(clock.now)
    assert scheduler.jobs[-1][0] == clock.now + dt.timedelta(minutes=2)
    clock.advance(minutes=2)
    scheduler.run_due(clock.now)
    assert len(transport.sent) == 1 and svc.delivery(row) == "sent"
    state.values[f"status:{'SM' + '1'.zfill(30)}"] = "delivered"  # Twilio's status callback
    assert svc.delivery(row) == "delivered"
    svc.dispatch(row)  # a duplicate job sends nothing
    assert len(transport.sent) == 1


def test_whatsapp_window_and_templates(world):
    svc, clock, scheduler, transport, state = world
    state.values["inbound:u-patient"] = {"channel": "whatsapp", "at": (clock.now - dt.timedelta(hours=2)).timestamp()}
    svc.schedule(PATIENT, "asha_notify_medicine", {"time": "11:00"}, clock.now, dedupe="w1", kind="medicine")
    scheduler.run_due(clock.now)
    assert transport.sent[-1]["to"] == f"whatsapp:{PHONE}" and "11:00" in transport.sent[-1]["body"]
    clock.advance(hours=30)  # 16:00 next day: outside the 24-hour window
    svc.schedule(PATIENT, "asha_notify_medicine", {"time": "16:00"}, clock.now, dedupe="w2", kind="medicine")
    scheduler.run_due(clock.now)
    assert transport.sent[-1] == {"to": f"whatsapp:{PHONE}", "content_sid": "HXhi", "variables": {"1": "16:00"}}
    svc.schedule(PATIENT, "asha_notify_checkup", {"date": "01/12"}, clock.now, dedupe="w3", kind="checkup")
    scheduler.run_due(clock.now)  # no approved template for this one: SMS
    assert transport.sent[-1]["to"] == PHONE


def test_appointment_and_checkup_reminders(world):
    svc, _, scheduler, _, _ = world
    assert producers.appointment_reminders(svc, PATIENT, ist(28, 11), ref="case1") == 2
    assert [j[0] for j in scheduler.jobs] == [ist(27, 18), ist(28, 10)]
    assert producers.checkup_reminder(svc, PATIENT, dt.date(2026, 12, 1), ref="anc2")
    assert scheduler.jobs[-1][0] == ist(30, 9)


def test_pharmacy_pickup_notice(world):
    from types import SimpleNamespace

    svc, clock, scheduler, transport, _ = world
    view = SimpleNamespace(id=uuid.uuid4(), status="ready", patient_id=PATIENT, pharmacy_name="Jan Aushadhi Dhuri",
                           code="482913", total_paise=12000, expires_at=clock.now + dt.timedelta(hours=4))
    notify = producers.pharmacy_notifier(svc)
    notify(view)
    notify(view)  # the same status twice: one message
    scheduler.run_due(clock.now)
    assert len(transport.sent) == 1 and "482913" in transport.sent[0]["body"]


def test_saved_dose_times_are_used(world):
    svc, _, scheduler, _, _ = world
    svc.set_dose_times(PATIENT, {"morning": dt.time(7, 15)})
    svc.set_dose_times(PATIENT, {"night": dt.time(22, 0)})  # 22:00 is quiet: moved to 07:00 next day
    assert svc.dose_times(PATIENT) == {"morning": dt.time(7, 15), "night": dt.time(22, 0)}
    producers.medicine_reminders(svc, PATIENT, [{"frequency": "1-0-1", "days": 2}], ref="rx9",
                                 start=dt.date(2026, 11, 27))
    assert [j[0] for j in scheduler.jobs] == [ist(27, 7, 15), ist(28, 7), ist(28, 7, 15), ist(29, 7)]
    with pytest.raises(ValueError):
        svc.set_dose_times(PATIENT, {"lunch": dt.time(13, 0)})


def test_a_portal_prescription_schedules_its_dose_reminders(world):
    """Handoff.prescribe's hook: "1-0-1" lines get reminders, "when needed" lines none."""
    from types import SimpleNamespace

    from engine.handoff.service import Handoff

    svc, clock, scheduler, transport, _ = world
    handoff = SimpleNamespace(now=lambda: clock.now)
    items = [{"frequency": "1-0-1", "duration_days": 2}, {"frequency": "after each loose stool", "duration_days": 3}]
    Handoff._medicine_reminders(handoff, PATIENT, items, uuid.uuid4())
    assert [j[0] for j in scheduler.jobs] == [ist(26, 21), ist(27, 8), ist(27, 21)]


def test_a_prescription_after_midnight_ist_starts_on_the_indian_day(world):
    """01:00 IST is still yesterday in UTC: the doses start on the patient's day, not the server's."""
    from types import SimpleNamespace

    from engine.handoff.service import Handoff

    svc, clock, scheduler, _, _ = world
    clock.now = ist(27, 1)
    Handoff._medicine_reminders(SimpleNamespace(now=clock), PATIENT, [{"frequency": "1-0-1", "duration_days": 1}],
                                uuid.uuid4())
    assert [j[0] for j in scheduler.jobs] == [ist(27, 8), ist(27, 21)]
