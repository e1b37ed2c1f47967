"""The portal's slot reminders survive a restart: re-armed from the booked cases at start-up."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

import pytest

from engine.handoff.reminders import job_key
from engine.handoff.service import IST, Handoff
from portal import jobs as portal_jobs
from records.models import utcnow
from tests.support import portal as testing
from tests.support.pharmacy import Clock
from tests.support.portal import TRIAGE

pytestmark = pytest.mark.postgres
world = testing.world  # the module's fixture (tests/support/portal.py)


@dataclass
class KeyedScheduler:
    """Keys jobs as both real schedulers do (ThreadScheduler's timer name, RqScheduler's job id):
    arming the same reminder again replaces it."""

    jobs: dict[str, tuple[dt.datetime, str, tuple[str, ...]]] = field(default_factory=dict)

    def at(self, when: dt.datetime, function: str, *args: str) -> str:
        key = job_key(when, function, *args)
        self.jobs[key] = (when, function, args)
        return key

    def cancel(self, job_id: str) -> None:
        self.jobs.pop(job_id, None)

    def of(self, case_id: uuid.UUID) -> list[tuple[dt.datetime, str, tuple[str, ...]]]:
        return sorted(j for j in self.jobs.values() if j[2][0] == str(case_id))


def restarted(world, clock: Clock) -> tuple[Handoff, KeyedScheduler]:
    """A new Handoff with a fresh scheduler (what a new portal process builds), registered for the jobs."""
    scheduler = KeyedScheduler()
    old = world.handoff
    handoff = Handoff(old.records, old.notifier, scheduler, old.jitsi, base_url=old.base_url, signer=old.signer,
                      clock=clock)
    portal_jobs.register(handoff)
    return handoff, scheduler


def test_restart_rearms_slot_reminders_once_each(world):
    doc, _, _ = world.doctor("Rearm Doctor", phone="+919800000031")
    world.slot(doc, in_minutes=180)
    phone = "+919811100031"
    pid = world.patient(phone)
    offer = world.handoff.request_doctor(pid, text="बुखार", triage=TRIAGE, language="hi")
    booking = world.handoff.choose(pid, next(o.number for o in offer.options if o.doctor_id == str(doc)))
    original = sorted(j for j in world.scheduler.jobs if j[2][0] == str(booking.case_id))
    assert len(original) == 4  # 1 hour and 10 minutes before, patient and doctor
    clock = Clock(utcnow())
    try:
        handoff, scheduler = restarted(world, clock)
        assert handoff.rearm() >= 4
        handoff.rearm()  # a second start-up arms nothing new
        assert scheduler.of(booking.case_id) == original
        # down again across the first reminder: only the one still ahead is armed
        clock.advance(minutes=130)
        handoff, scheduler = restarted(world, clock)
        handoff.rearm()
        handoff.rearm()
        armed = scheduler.of(booking.case_id)
        assert [j[0] for j in armed] == [original[-1][0]] * 2
        before = len(world.standin.sent_messages(f"whatsapp:{phone}"))
        for _, function, args in armed:
            assert getattr(portal_jobs, function.rsplit(".", 1)[-1])(*args)
        assert len(world.standin.sent_messages(f"whatsapp:{phone}")) == before + 1
        assert len(world.standin.sent_messages("+919800000031")) >= 1
    finally:
        portal_jobs.register(world.handoff)


def test_restart_rearms_the_follow_up_reminder_from_its_clear_date(world):
    from records.portal_models import HandoffCase

    doc, _, _ = world.doctor("Follow Doctor")
    pid, case_id = world.booked_case(doc, phone="+919811100032")
    day = dt.date.today() + dt.timedelta(days=5)
    world.handoff.save_notes(doc, case_id, soap={"plan": "fluids"}, follow_up=day)
    with world.records.sessions() as s:
        assert s.get(HandoffCase, case_id).follow_up_on == day  # the date only; the notes stay sealed
    clock = Clock(utcnow())
    try:
        handoff, scheduler = restarted(world, clock)
        handoff.rearm()
        handoff.rearm()  # once, however often the portal starts
        follow = [j for j in scheduler.of(case_id) if j[1] == "portal.jobs.follow_up"]
        at_nine = dt.datetime.combine(day, dt.time(9, 0), IST)
        assert len(follow) == 1 and follow[0][0] == at_nine.astimezone(dt.timezone.utc)
        clock.advance(minutes=60 * 24 * 6)  # the day has passed while the portal was down: nothing owed
        handoff, scheduler = restarted(world, clock)
        handoff.rearm()
        assert not [j for j in scheduler.of(case_id) if j[1] == "portal.jobs.follow_up"]
    finally:
        portal_jobs.register(world.handoff)
