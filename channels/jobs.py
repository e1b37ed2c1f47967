"""Slow work (OCR, speech) off the webhook: an RQ queue with Redis, a thread pool without.

Twilio waits at most 15 s for a webhook answer, so the user gets an immediate "reading your
photo…" and the job replies later through the REST API. Job descriptions are fixed strings:
RQ logs a job's description, and the arguments hold the phone number to reply to.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

from rq import Retry, Worker
from rq.defaults import DEFAULT_WORKER_TTL
from rq.worker import WorkerStatus

from channels.media import kind_of
from engine.metrics import MeasuredWorker, code_name, job_name
from engine.sandbox import limit_this_process

log = logging.getLogger(__name__)
QUEUE_NAME = "saathi-channels"
#: runs of a job after its first, when its worker died under it (run_job itself never raises)
JOB_RETRIES = 1


class JobQueue(Protocol):
    def submit(self, function: str, payload: dict[str, Any]) -> None: ...
    def forget(self, sender: str, salt: str) -> int: ...


def payload_of(payload: dict[str, Any], sender: str, salt: str) -> bool:
    """Whether a job's payload is ``sender``'s (it names the pseudonym or the phone number)."""
    from records.identity import sender_id

    address = payload.get("address")
    return payload.get("sender") == sender or (isinstance(address, str) and sender_id(address, salt) == sender)


def _resolve(function: str):
    import importlib

    module, _, name = function.rpartition(".")
    return getattr(importlib.import_module(module), name)


def run_job(function: str, payload: dict[str, Any]) -> None:
    """Entry point of every job (RQ imports it by name).

    Failures are logged by exception type and not re-raised: RQ would log the traceback, whose
    messages (Twilio errors, OCR text) can contain a phone number or what the user sent. A payload's
    ``script`` (engine.i18n) is the reply script of everything the job says.
    """
    from engine.i18n import reply_script

    try:
        with reply_script(payload.get("script")):  # the script of the turn that asked for the job
            _resolve(function)(payload)
    except Exception as exc:  # noqa: BLE001 - logged by type only: messages can hold numbers or text
        log.error("channel job %s failed: %s", function.rsplit(".", 1)[-1], type(exc).__name__)


class ThreadQueue:
    """In-process jobs for the embedded deployment (no ``REDIS_URL``)."""

    def __init__(self, workers: int = 2) -> None:
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="saathi-job")

    def submit(self, function: str, payload: dict[str, Any]) -> None:
        self.pool.submit(run_job, function, payload)

    def forget(self, sender: str, salt: str) -> int:
        return 0  # nothing is kept: a job's payload lives only while it runs


class RqQueue:
    def __init__(self, redis_url: str) -> None:
        import redis
        from rq import Queue

        self.queue = Queue(QUEUE_NAME, connection=redis.Redis.from_url(redis_url))

    def submit(self, function: str, payload: dict[str, Any]) -> None:
        """One job; run again once if its worker dies with it (SIGKILL, a lost pod: RQ finds it
        abandoned), else the photo or voice note would never be answered. At least once: a
        worker that dies after the reply left and before RQ heard the job end sends it twice."""
        self.queue.enqueue(run_job, function, payload, description=f"channels:{function.rsplit('.', 1)[-1]}",
                           result_ttl=0, failure_ttl=3600, job_timeout=300, retry=Retry(max=JOB_RETRIES))

    def forget(self, sender: str, salt: str) -> int:
        """Deletes this sender's waiting and failed jobs (their payloads hold the phone number and
        media links); a job already running finishes. How many went."""
        from rq.job import Job

        registries = [self.queue.failed_job_registry, self.queue.scheduled_job_registry,
                      self.queue.deferred_job_registry]
        ids = [*self.queue.get_job_ids(), *(job_id for registry in registries for job_id in registry.get_job_ids())]
        deleted = 0
        for job in Job.fetch_many(ids, connection=self.queue.connection):
            if job is None or len(job.args) < 2 or not isinstance(job.args[1], dict):
                continue
            if payload_of(job.args[1], sender, salt):
                for registry in registries:
                    registry.remove(job.id)
                job.delete(remove_from_queue=True)
                deleted += 1
        return deleted


#: Jobs the media worker runs in its own process, as RQ's ``SimpleWorker`` does, instead of in a
#: forked work horse: a voice note's speech to text. The worker loads Whisper once at start
#: (``channels.__main__``) and keeps it, so a note no longer pays the model load in every horse
#: (1.79 s CPU); and CTranslate2 hangs in a horse forked after the worker used the model, so once
#: the worker holds it speech must never run in a horse. Everything else is still forked.
IN_PROCESS_JOBS = frozenset({"process_media_audio"})


class InProcessJobs:
    """Mixin for RQ's forking ``Worker`` (before it in the bases): the jobs :meth:`in_process` names
    run in the worker itself (``SimpleWorker.execute_job``), the rest in a work horse as before."""

    def in_process(self, job: Any) -> bool:
        return False

    def execute_job(self, job: Any, queue: Any) -> None:
        if not self.in_process(job):
            super().execute_job(job, queue)  # type: ignore[misc]
            return
        execution = self.prepare_execution(job)  # type: ignore[attr-defined]
        self.perform_job(job, queue, execution)  # type: ignore[attr-defined]
        self.set_state(WorkerStatus.IDLE)  # type: ignore[attr-defined]

    def get_heartbeat_ttl(self, job: Any, working_time: float = 0.0) -> int:
        """A worker busy with a job of its own sends no heartbeat until it ends: it stays registered
        for the job's whole timeout (``SimpleWorker``'s rule), not one monitoring interval."""
        if not self.in_process(job):
            return super().get_heartbeat_ttl(job, working_time)  # type: ignore[misc]
        return DEFAULT_WORKER_TTL if job.timeout == -1 else int(job.timeout or DEFAULT_WORKER_TTL) + 60


class MediaWorker(MeasuredWorker, InProcessJobs, Worker):
    """The RQ worker of these jobs: each work horse (RQ forks one per job) lowers its own
    address-space ceiling to ``memory_bytes`` first (``SAATHI_WORKER_MEMORY_MB``), so a photo that
    still explodes in a decoder ends that one job, not the machine. Voice notes run in the worker
    itself (:data:`IN_PROCESS_JOBS`; their untrusted decoding, ffmpeg, runs under
    ``engine.sandbox``'s ceiling). Jobs are timed by the function :func:`run_job` runs, media by kind
    (``process_media_image`` is OCR, ``process_media_audio`` speech to text)."""

    memory_bytes = 0

    def main_work_horse(self, job: Any, queue: Any) -> None:
        limit_this_process(self.memory_bytes)
        super().main_work_horse(job, queue)

    def in_process(self, job: Any) -> bool:
        return self.job_label(job) in IN_PROCESS_JOBS

    def job_label(self, job: Any) -> str:
        if job_name(job) != "run_job" or len(job.args) < 2:
            return job_name(job)
        function, payload = job.args[0], job.args[1]
        name = str(function).rsplit(".", 1)[-1]
        if name == "process_media" and isinstance(payload, dict):
            name = f"{name}_{kind_of(str(payload.get('content_type', ''))) or 'other'}"
        return code_name(name)


def open_queue(redis_url: str) -> JobQueue:
    return RqQueue(redis_url) if redis_url else ThreadQueue()
