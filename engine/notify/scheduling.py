"""RQ scheduled jobs for notifications (``enqueue_at``), or an in-process timer without Redis.

Production uses the ``portal`` queue, whose worker runs RQ's scheduler (``python -m portal worker``;
see :mod:`engine.handoff.reminders`, which is also the in-process fallback). The queue name is a
parameter so a test or the bench can use a queue no other process works on.

Neither kind survives everything: timers die with the process, and Redis here keeps nothing on
disk. The outbox is the record; :meth:`engine.notify.service.NotifyService.rearm` arms its
scheduled rows again at start-up (:func:`engine.notify.jobs.rearm_at_start`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from engine.handoff.reminders import QUEUE_NAME, ThreadScheduler, enqueue_now, job_key


class RqAt:
    def __init__(self, connection: Any, queue_name: str = QUEUE_NAME) -> None:
        from rq import Queue

        self.queue = Queue(queue_name, connection=connection)

    def at(self, when: dt.datetime, function: str, *args: str) -> str:
        # arguments are an outbox id: nothing personal in Redis or in RQ's logs
        # a deterministic id: re-arming the outbox after a restart replaces a job Redis still has
        return self.queue.enqueue_at(when, function, *args, result_ttl=0, failure_ttl=86400,
                                     job_id=job_key(when, function, *args),
                                     description=f"notify:{function.rsplit('.', 1)[-1]}").id

    def enqueue_now(self, function: str, *args: str) -> str:
        return enqueue_now(self.queue, function, *args)


def open_scheduler(redis_url: str, queue_name: str = QUEUE_NAME) -> RqAt | ThreadScheduler:
    if redis_url:
        import redis

        return RqAt(redis.Redis.from_url(redis_url), queue_name)
    return ThreadScheduler()
