"""Notifications through real RQ: ``enqueue_at`` into a scheduled-job registry, one worker with RQ's
scheduler runs them when due (Redis on 127.0.0.1:6379; skipped without it)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from engine.notify import NotifyService, Recipient, migrate
from engine.notify.jobs import set_service
from engine.notify.scheduling import RqAt
from records.db import make_engine, make_session_factory
from tests.support.notify import (
    DictState,
    FixedAddressBook,
    MemorySealer,
    RecordingTransport,
    redis_connection,
)


@pytest.fixture
def connection():
    return redis_connection()


def test_scheduled_reminders_run_in_an_rq_worker_when_due(tmp_path, connection):
    from rq import SimpleWorker

    url = f"sqlite:///{tmp_path / 'n.db'}"
    migrate(url)
    scheduler = RqAt(connection, f"notify-test-{uuid.uuid4().hex[:8]}")
    person = uuid.uuid4()
    transport = RecordingTransport()
    svc = NotifyService(make_session_factory(make_engine(url)), FixedAddressBook({person: Recipient("+919800000001", "en",
                        "u-x")}), transport, DictState(), scheduler, quiet_hours=(0, 0), sealer=MemorySealer())
    set_service(svc)
    try:
        now = dt.datetime.now(dt.timezone.utc)
        svc.schedule(person, "asha_notify_checkup", {"date": "01/12"}, now - dt.timedelta(seconds=1), dedupe="a",
                     kind="checkup")
        later = svc.schedule(person, "asha_notify_checkup", {"date": "02/12"}, now + dt.timedelta(hours=1),
                             dedupe="b", kind="checkup")
        assert len(scheduler.queue.scheduled_job_registry) == 2
        SimpleWorker([scheduler.queue], connection=connection).work(burst=True, with_scheduler=True)
        assert [m["body"] for m in transport.sent] == ["Sehat Saathi: your health check-up is due on 01/12. "
                                                       "Your ASHA can help."]
        assert svc.delivery(later) == "scheduled"
    finally:
        set_service(None)
        for job_id in scheduler.queue.scheduled_job_registry.get_job_ids():
            scheduler.queue.scheduled_job_registry.remove(job_id, delete_job=True)
        scheduler.queue.delete(delete_jobs=True)
