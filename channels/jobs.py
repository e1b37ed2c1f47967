"""Slow work (OCR, speech) off the webhook: an RQ queue with Redis, a thread pool without.

Twilio waits at most 15 s for a webhook answer, so the user gets an immediate "reading your
photo…" and the job replies later through the REST API. Job descriptions are fixed strings:
RQ logs a job's description, and the arguments hold the phone number to reply to.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

log = logging.getLogger(__name__)
QUEUE_NAME = "saathi-channels"


class JobQueue(Protocol):
    def submit(self, function: str, payload: dict[str, Any]) -> None: ...


def _resolve(function: str):
    import importlib

    module, _, name = function.rpartition(".")
    return getattr(importlib.import_module(module), name)


def run_job(function: str, payload: dict[str, Any]) -> None:
    """Entry point of every job (RQ imports it by name).

    Failures are logged by exception type and not re-raised: RQ would log the traceback, whose
    messages (Twilio errors, OCR text) can contain a phone number or what the user sent.
    """
    try:
        _resolve(function)(payload)
    except Exception as exc:  # noqa: BLE001 - logged by type only: messages can hold numbers or text
        log.error("channel job %s failed: %s", function.rsplit(".", 1)[-1], type(exc).__name__)


class ThreadQueue:
    """In-process jobs for the embedded deployment (no ``REDIS_URL``)."""

    def __init__(self, workers: int = 2) -> None:
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="saathi-job")

    def submit(self, function: str, payload: dict[str, Any]) -> None:
        self.pool.submit(run_job, function, payload)


class RqQueue:
    def __init__(self, redis_url: str) -> None:
        import redis
        from rq import Queue

        self.queue = Queue(QUEUE_NAME, connection=redis.Redis.from_url(redis_url))

    def submit(self, function: str, payload: dict[str, Any]) -> None:
        self.queue.enqueue(run_job, function, payload, description=f"channels:{function.rsplit('.', 1)[-1]}",
                           result_ttl=0, failure_ttl=3600, job_timeout=300)


def open_queue(redis_url: str) -> JobQueue:
    return RqQueue(redis_url) if redis_url else ThreadQueue()
