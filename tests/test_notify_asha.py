"""Notifications from ASHA work: antenatal check-up reminders to the patient, the ASHA's daily summary."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from engine.asha.testing import SALT, new_phone, verified_worker
from engine.i18n import t
from engine.notify import NotifyService, migrate, producers, timing
from engine.notify.addresses import RecordsAddressBook, RecordsSealer
from engine.notify.jobs import set_service
from engine.notify.testing import DictState, ManualScheduler, RecordingTransport
from records.db import make_engine, make_session_factory

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
