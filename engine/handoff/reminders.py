"""Reminders before a slot and on the follow-up date: RQ scheduled jobs, or in-process timers.

With ``REDIS_URL`` jobs go to the ``portal`` RQ queue with ``enqueue_at`` and are run by the
portal worker (``python -m portal worker``, started with the scheduler). Without Redis a daemon
``threading.Timer`` runs them in the portal process (the embedded deployment: lost on restart,
which the portal compensates by re-arming booked cases at start, see
:meth:`engine.handoff.service.Handoff.rearm` and :func:`portal.jobs.rearm_at_start`).

Job arguments are ids only (case id, which side): no phone number or health data in Redis.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
import logging
import re
import threading
from dataclasses import dataclass, field
from typing import Any, Protocol

from engine.logsafe import failure

log = logging.getLogger(__name__)
QUEUE_NAME = "portal"


def resolve(path: str) -> Any:
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


class Scheduler(Protocol):
    def at(self, when: dt.datetime, function: str, *args: str) -> str: ...
    def cancel(self, job_id: str) -> None: ...


@dataclass
class ThreadScheduler:
    """In-process fallback: one daemon timer per job."""

    timers: dict[str, threading.Timer] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def at(self, when: dt.datetime, function: str, *args: str) -> str:
        delay = max(0.0, (when - dt.datetime.now(dt.timezone.utc)).total_seconds())
        job_id = f"{function}:{':'.join(args)}:{int(when.timestamp())}"

        def run() -> None:
            with self._lock:
                self.timers.pop(job_id, None)
            try:
                resolve(function)(*args)
            except Exception as exc:  # noqa: BLE001 - a failed reminder must not kill the process
                log.error("reminder job %s failed: %s", function, failure(exc))

        timer = threading.Timer(delay, run)
        timer.daemon = True
        with self._lock:
            old = self.timers.pop(job_id, None)
            if old:
                old.cancel()
            self.timers[job_id] = timer
        timer.start()
        return job_id

    def cancel(self, job_id: str) -> None:
        with self._lock:
            timer = self.timers.pop(job_id, None)
        if timer:
            timer.cancel()

    def pending(self) -> list[str]:
        with self._lock:
            return sorted(self.timers)


class RqScheduler:
    def __init__(self, redis_url: str) -> None:
        import redis
        from rq import Queue

        self.connection = redis.Redis.from_url(redis_url)
        self.queue = Queue(QUEUE_NAME, connection=self.connection)

    def at(self, when: dt.datetime, function: str, *args: str) -> str:
        # the id is the job's identity (function, ids, time): arming it again after a restart
        # replaces the job instead of adding a second reminder
        job = self.queue.enqueue_at(when, function, *args, job_id=job_key(when, function, *args))
        return job.id

    def in_(self, delay: dt.timedelta, function: str, *args: str) -> str:
        return self.queue.enqueue_in(delay, function, *args).id

    def enqueue_now(self, function: str, *args: str) -> str:
        return enqueue_now(self.queue, function, *args)

    def cancel(self, job_id: str) -> None:
        from rq.job import Job

        with contextlib.suppress(Exception):  # already run or expired
            Job.fetch(job_id, connection=self.connection).cancel()


def enqueue_now(queue: Any, function: str, *args: str) -> str:
    """A job straight onto an RQ ``queue``, for any live worker to take at once: not through RQ's
    scheduler, whose one lock holder moves due jobs onto the queue. Why: a job this late (a row
    whose sender died mid-send) would otherwise wait for the lock too, and the dead sender often
    held it (its lock expires after 61 s, and a live worker takes it over in its next round)."""
    return queue.enqueue(function, *args, result_ttl=0, failure_ttl=86400,
                         description=f"now:{function.rsplit('.', 1)[-1]}").id


def job_key(when: dt.datetime, function: str, *args: str) -> str:
    """A deterministic RQ job id (RQ allows letters, digits, ``-`` and ``_``): ids only, no personal data."""
    raw = "-".join([function.rsplit(".", 1)[-1], *args, str(int(when.timestamp()))])
    return re.sub(r"[^A-Za-z0-9_-]", "_", raw)


def open_scheduler(redis_url: str) -> Scheduler:
    if redis_url:
        try:
            scheduler = RqScheduler(redis_url)
            scheduler.connection.ping()
            return scheduler
        except Exception:  # noqa: BLE001 - Redis configured but down: keep reminders in-process
            log.warning("Redis not reachable; reminders run in-process")
    return ThreadScheduler()


def reminder_times(starts_at: dt.datetime, now: dt.datetime,
                   before: tuple[dt.timedelta, ...] = (dt.timedelta(hours=1), dt.timedelta(minutes=10))
                   ) -> list[dt.datetime]:
    """When to remind before a slot: the given offsets that are still in the future."""
    return [starts_at - b for b in before if starts_at - b > now]
