"""A reminder whose worker died mid-send is sent again, once (bench/replicas.py's open case).

A real RQ worker process (tests/support/notify_worker.py) on a PostgreSQL outbox takes a due
reminder and is SIGKILLed while its send waits, before Twilio has the message: the row stays
``sending``. After the lease two sweepers re-arm (as two gateways' sweeps would): one gets the
row, and a second worker sends it, once."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from engine.notify import NotifyService, migrate
from engine.notify.models import Outbox
from engine.notify.scheduling import RqAt
from records.db import make_engine, make_session_factory
from tests.support import processes
from tests.support.notify import DictState, FixedAddressBook, MemorySealer, redis_connection
from tests.support.notify_worker import FIELDS
from tests.support.records import fresh_pg_database

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def connection():
    return redis_connection()


def start_worker(url: str, queue: str, log: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "tests.support.notify_worker", url, queue, str(log)],
                            cwd=ROOT, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def kill_with_children(process: subprocess.Popen) -> None:
    """SIGKILL the worker and its work-horse (RQ forks it into a session of its own: a kill of
    the worker's process group alone leaves it sending, as a machine or pod that dies does not)."""
    processes.kill_with_children(process.pid)
    process.wait(10)


def wait_for(predicate, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def sweeper(engine, scheduler: RqAt, lease: dt.timedelta) -> NotifyService:
    """A notify service over the outbox, as a gateway's sweep runs it (no sender of its own)."""
    return NotifyService(make_session_factory(engine), FixedAddressBook({}), None, DictState(), scheduler,  # type: ignore[arg-type]
                         quiet_hours=(0, 0), templates={}, sealer=MemorySealer(), sending_lease=lease)


@contextmanager
def outbox(name: str, connection) -> Iterator[tuple[str, object, RqAt, list[subprocess.Popen]]]:
    """A fresh migrated outbox database, an RQ queue of its own and the list of workers started on
    it; on the way out every worker still alive is killed and the queue's jobs are deleted."""
    workers: list[subprocess.Popen] = []
    with fresh_pg_database(name) as url:
        migrate(url)
        engine = make_engine(url)
        scheduler = RqAt(connection, f"notify-lease-{uuid.uuid4().hex[:8]}")
        try:
            yield url, engine, scheduler, workers
        finally:
            for worker in workers:
                if worker.poll() is None:
                    kill_with_children(worker)
            for job_id in scheduler.queue.scheduled_job_registry.get_job_ids():
                scheduler.queue.scheduled_job_registry.remove(job_id, delete_job=True)
            scheduler.queue.delete(delete_jobs=True)
            engine.dispose()


def assert_sent_once(log: Path, engine, row_id) -> None:
    """Two sends started (the killed one and the retry), one finished, and the row says so."""
    assert [line.split()[0] for line in log.read_text().splitlines()] == ["start", "start", "sent"]
    with make_session_factory(engine)() as s:
        row = s.get(Outbox, row_id)
        assert (row.status, row.attempts) == ("sent", 1)


def test_a_reminder_whose_worker_was_killed_mid_send_is_rearmed_and_sent_once(tmp_path, connection):
    log = tmp_path / "sends.log"
    hold = tmp_path / "sends.log.hold"
    with outbox("saathi_lease", connection) as (url, engine, scheduler, workers):
        lease = dt.timedelta(seconds=10)  # the claim was a moment ago (a loaded box: seconds)
        sweepers = [sweeper(engine, scheduler, lease) for _ in range(2)]
        person = uuid.uuid4()
        row_id = sweepers[0].schedule(person, "asha_notify_checkup", FIELDS, dt.datetime.now(dt.timezone.utc),
                                      dedupe="lease", kind="checkup", urgent=True)
        hold.touch()
        workers.append(start_worker(url, scheduler.queue.name, log))
        wait_for(lambda: log.exists() and "start" in log.read_text(), 120, "the worker never took the reminder")
        kill_with_children(workers[0])  # the worker and its work-horse, mid-send
        hold.unlink()
        with make_session_factory(engine)() as s:
            assert s.get(Outbox, row_id).status == "sending"
        assert sweepers[0].reclaim() == set()  # within the lease: the sender may still be alive
        time.sleep(lease.total_seconds())
        assert [sweeper.reclaim() for sweeper in sweepers] == [{row_id}, set()]  # one sweeper gets it
        assert sweepers[1].rearm() == 1  # a scheduled row armed again: harmless, dispatch claims first

        workers.append(start_worker(url, scheduler.queue.name, log))  # the supervisor's restart
        # RQ's scheduler lock of the dead worker expires (61 s), the new one takes it in its round
        wait_for(lambda: "sent" in log.read_text(), 240, "the re-armed reminder was never sent")
        time.sleep(3)  # any second job (there are two armings) has had its turn
        assert_sent_once(log, engine, row_id)


def test_a_killed_workers_reminder_goes_out_once_within_a_lease_and_one_sweep(tmp_path, connection):
    """The bound, measured: a dispatch worker SIGKILLed mid-lease, restarted at once by its
    supervisor, and a sweeper running the gateway's lease sweep (:func:`lease_sweep`): the reminder
    goes out exactly once, no later than a lease and one sweep after it was taken (plus a live
    worker's pick-up), though the dead worker held RQ's scheduler lock (the reclaimed dispatch goes
    straight onto the queue). Before, the next sweep was the 10-minute stale sweep."""
    from engine.notify.jobs import lease_sweep

    log = tmp_path / "sends.log"
    hold = tmp_path / "sends.log.hold"
    lease, sweep, pickup = dt.timedelta(seconds=20), dt.timedelta(seconds=5), dt.timedelta(seconds=10)
    with outbox("saathi_lease_bound", connection) as (url, engine, scheduler, workers):
        service = sweeper(engine, scheduler, lease)
        sweeping = lease_sweep(sweep, lambda: service).start()
        try:
            row_id = service.schedule(uuid.uuid4(), "asha_notify_checkup", FIELDS, dt.datetime.now(dt.timezone.utc),
                                      dedupe="lease-bound", kind="checkup", urgent=True)
            hold.touch()
            workers.append(start_worker(url, scheduler.queue.name, log))
            wait_for(lambda: log.exists() and "start" in log.read_text(), 120, "the worker never took the reminder")
            kill_with_children(workers[0])  # mid-send, inside its lease
            workers.append(start_worker(url, scheduler.queue.name, log))  # the supervisor's restart
            hold.unlink()
            with make_session_factory(engine)() as s:
                row = s.get(Outbox, row_id)
                taken = row.due_at.replace(tzinfo=row.due_at.tzinfo or dt.timezone.utc)
                assert row.status == "sending"
            bound = lease + sweep + pickup
            wait_for(lambda: "sent" in log.read_text(), (bound + dt.timedelta(seconds=60)).total_seconds(),
                     "the reclaimed reminder was never sent")
            late = dt.datetime.now(dt.timezone.utc) - taken
            print(f"\nsent {late.total_seconds():.1f} s after it was taken (lease {lease.seconds} s, "
                  f"sweep {sweep.seconds} s)")
            assert late <= bound
            time.sleep(sweep.total_seconds() + 2)  # another sweep has run: nothing more goes out
            assert_sent_once(log, engine, row_id)
        finally:
            sweeping.stop()
