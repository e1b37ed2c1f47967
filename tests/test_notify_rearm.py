"""Reminders survive a restart: the outbox is re-armed at start-up, each reminder sent once."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from engine.notify import NotifyService, Recipient, migrate, producers
from engine.notify.jobs import set_service
from records.db import make_engine, make_session_factory
from tests.support.notify import ManualScheduler, ist, redis_connection, stand_in_service
from tests.support.pharmacy import Clock
from tests.support.records import fresh_pg_database

PATIENT = uuid.uuid4()


@pytest.fixture
def parts():
    with fresh_pg_database("saathi_rearm") as url:
        migrate(url)
        engine = make_engine(url)
        yield stand_in_service(make_session_factory(engine), {PATIENT: Recipient("+919812300001", "hi", "u-rearm")},
                               clock=Clock(ist(26, 10)))
        engine.dispose()


def service(parts: NotifyService, scheduler, **options) -> NotifyService:
    """Another process's service over the same outbox, people, transport and keys as ``parts`` (not
    yet the one jobs find)."""
    options.setdefault("clock", parts.clock)
    return NotifyService(parts.sessions, parts.addresses, parts.transport, parts.state, scheduler,
                         templates={}, sealer=parts.sealer, **options)


def serve(parts, scheduler, **options) -> NotifyService:
    """:func:`service`, made the one scheduled jobs find."""
    svc = service(parts, scheduler, **options)
    set_service(svc)
    return svc


def test_restart_rearms_and_sends_each_reminder_once(parts):
    transport, clock = parts.transport, parts.clock
    try:
        old = serve(parts, ManualScheduler())
        n = producers.medicine_reminders(old, PATIENT, [{"frequency": "1-0-1", "days": 2}], ref="rx-rearm",
                                         start=dt.date(2026, 11, 26))
        assert n == 3 and len(old.pending(PATIENT)) == 3
        # the process dies: its timers are gone; later, a new process starts
        clock.now = ist(27, 9)  # one reminder (26th 20:00 or so) is overdue by now
        scheduler = ManualScheduler()
        new = serve(parts, scheduler)
        assert new.rearm() == 3
        assert new.rearm() == 3  # a second start-up hook (another process) arms them again
        scheduler.run_due(clock())
        sent_overdue = len(transport.sent)
        assert sent_overdue == 2  # today's night dose and tomorrow's morning dose, promptly, once each
        clock.now = ist(28, 12)
        scheduler.run_due(clock())
        assert len(transport.sent) == 3 and new.pending(PATIENT) == []
        assert new.rearm() == 0  # nothing left to arm
    finally:
        set_service(None)


def test_redis_restart_loses_jobs_and_the_sweep_brings_them_back(parts):
    """Redis keeps nothing on disk here: a flushed queue is refilled from the outbox, once per row."""
    from rq import SimpleWorker

    from engine.notify.scheduling import RqAt

    conn = redis_connection()
    transport = parts.transport
    name = f"notify-rearm-{uuid.uuid4().hex[:8]}"
    now = dt.datetime.now(dt.timezone.utc)

    def build(queue_name: str) -> tuple[NotifyService, RqAt]:
        scheduler = RqAt(conn, queue_name)
        return serve(parts, scheduler, quiet_hours=(0, 0), clock=None), scheduler

    queues = []
    try:
        svc, scheduler = build(name)
        queues.append(scheduler.queue)
        svc.schedule(PATIENT, "asha_notify_checkup", {"date": "01/12"}, now - dt.timedelta(seconds=1),
                     dedupe="rq-due", kind="checkup")
        later = svc.schedule(PATIENT, "asha_notify_checkup", {"date": "02/12"}, now + dt.timedelta(hours=1),
                             dedupe="rq-later", kind="checkup")
        # Redis restarts: the jobs are gone (a fresh queue plays the empty Redis)
        svc, scheduler = build(name + "-after")
        queues.append(scheduler.queue)
        assert svc.rearm() == 2 and svc.rearm() == 2
        assert len(scheduler.queue.scheduled_job_registry) == 2  # deterministic ids: no doubles
        SimpleWorker([scheduler.queue], connection=conn).work(burst=True, with_scheduler=True)
        assert len(transport.sent) == 1 and svc.delivery(later) == "scheduled"
        assert svc.rearm() == 1
        assert len(scheduler.queue.scheduled_job_registry) == 1
    finally:
        set_service(None)
        for queue in queues:
            for job_id in queue.scheduled_job_registry.get_job_ids():
                queue.scheduled_job_registry.remove(job_id, delete_job=True)
            queue.delete(delete_jobs=True)


def test_start_up_hook_with_real_timers_sends_an_overdue_reminder_once(parts):
    """The embedded mode end to end: the start-up hook arms in-process timers; overdue rows go out now."""
    import time

    from engine.handoff.reminders import ThreadScheduler
    from engine.notify.jobs import rearm_at_start

    transport = parts.transport
    try:
        old = service(parts, ManualScheduler(), quiet_hours=(0, 0), clock=None)
        old.schedule(PATIENT, "asha_notify_checkup", {"date": "03/12"},
                     dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=5), dedupe="timer-due", kind="checkup")
        timers = ThreadScheduler()
        serve(parts, timers, quiet_hours=(0, 0), clock=None)
        assert rearm_at_start() == 1
        rearm_at_start()  # the portal's hook too: a second timer, the row is claimed once
        deadline = time.monotonic() + 10
        while (timers.pending() or not transport.sent) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.2)
        assert len(transport.sent) == 1
    finally:
        set_service(None)


def test_start_up_hook_never_raises(monkeypatch):
    from engine.notify import jobs

    def broken() -> NotifyService:
        raise ConnectionError("database not up yet")

    monkeypatch.setattr(jobs, "service", broken)
    assert jobs.rearm_at_start() == 0


def test_periodic_sweep_arms_only_rows_whose_timer_was_lost(parts):
    """Another process (the action server) restarted: its rows are armed once they are stale, and
    rows not yet due or only just due are left to their own timers."""
    import time

    from engine.notify.jobs import stale_sweep

    transport, clock = parts.transport, parts.clock
    try:
        elsewhere = serve(parts, ManualScheduler())  # the process that dies with its timers
        producers.medicine_reminders(elsewhere, PATIENT, [{"frequency": "1-0-1", "days": 2}], ref="rx-stale",
                                     start=dt.date(2026, 11, 26))
        scheduler = ManualScheduler()
        here = serve(parts, scheduler)
        clock.now = ist(26, 21, 5)  # tonight's dose (21:00) is 5 minutes overdue: not stale yet
        assert here.rearm(dt.timedelta(minutes=10)) == 0
        clock.now = ist(26, 21, 30)
        assert here.rearm(dt.timedelta(minutes=10)) == 1 and len(scheduler.jobs) == 1
        sweep = stale_sweep(interval=dt.timedelta(seconds=0.05), stale_after=dt.timedelta(minutes=10)).start()
        try:
            deadline = time.monotonic() + 5
            while len(scheduler.jobs) < 3 and time.monotonic() < deadline:
                time.sleep(0.02)
        finally:
            sweep.stop()
        scheduler.run_due(clock())
        assert len(transport.sent) == 1  # armed by hand and by each sweep round, sent once
        clock.now = ist(28, 12)  # outside the quiet hours
        scheduler.run_due(clock())
        assert len(transport.sent) == 1  # the later doses had no lost timer here: the sweep armed none
        assert here.rearm(dt.timedelta(minutes=10)) == 2
        scheduler.run_due(clock())
        assert len(transport.sent) == 3 and here.pending(PATIENT) == []
    finally:
        set_service(None)
