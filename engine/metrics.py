"""Prometheus metrics of every process but the gateway's own turns: one list of names for the alert
rules in ``deploy/prometheus/`` to refer to.

What each process exposes on ``/metrics`` (the gateway's turn and webhook metrics are in
``channels.metrics``, Twilio send results in ``engine.outbound``):

* the action server: ``saathi_action_seconds`` (by action and outcome), ``saathi_triage_total``
  (by urgency). Its Sanic workers are processes, so it runs in prometheus-client's multiprocess
  mode (:func:`use_multiprocess_dir`) and ``/metrics`` adds up every worker;
* the gateway and the portal: ``saathi_http_responses_total`` (by status class);
* the portal: ``saathi_portal_logins_total`` (by outcome), ``saathi_portal_lockouts_total``,
  the reminders' outbox (:class:`OutboxCollector`) and its queue (:class:`QueueCollector`);
* each RQ worker (:func:`serve_worker_metrics`, its own port): ``saathi_job_seconds`` and
  ``saathi_job_failures_total`` per queue and job, measured in the worker itself around each work
  horse (RQ forks one per job, and what a horse counts dies with it), and its queues.

Labels are closed sets or names from the code (a job's function, an action's name), never what a
request carried: no phone number, sender id or health text can reach one (:func:`closed`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from rq import Worker

from config.settings import metrics_enabled

log = logging.getLogger(__name__)
OTHER = "other"
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

#: urgencies of engine.triage (kb.URGENCY_LEVELS)
URGENCIES = ("routine", "urgent", "emergency")
#: a sign-in step's outcome: password right or wrong, an attempt on a locked account, the TOTP code
LOGIN_OUTCOMES = ("password_ok", "password_wrong", "locked", "totp_ok", "totp_wrong")
#: an action's outcome: answered, refused (the actions token), failed (5xx)
ACTION_OUTCOMES = ("ok", "refused", "error")
_NAME = re.compile(r"[a-z][a-z0-9_]{0,47}")
#: ``SAATHI_METRICS=0``: every metric of every process is :data:`OFF` (measuring what they cost)
ENABLED = metrics_enabled()


class Off:
    """A metric that records nothing: what each metric is with ``SAATHI_METRICS=0``, so the bench
    runs the same code with and without instrumentation (bench/scaling.py ``--metrics-ab``)."""

    def labels(self, *values: str, **named: str) -> Off:
        return self

    def inc(self, amount: float = 1) -> None:
        """Nothing: counters, gauges and histograms alike."""

    dec = set = observe = inc


OFF = Off()


def counter(name: str, documentation: str, labelnames: Iterable[str] = ()) -> Counter:
    """A :class:`Counter`, or :data:`OFF` with metrics off (every metric is made by these three)."""
    return Counter(name, documentation, labelnames) if ENABLED else OFF  # type: ignore[return-value]


def gauge(name: str, documentation: str, labelnames: Iterable[str] = ()) -> Gauge:
    return Gauge(name, documentation, labelnames) if ENABLED else OFF  # type: ignore[return-value]


def histogram(name: str, documentation: str, labelnames: Iterable[str], buckets: tuple[float, ...]) -> Histogram:
    return Histogram(name, documentation, labelnames, buckets=buckets) if ENABLED else OFF  # type: ignore[return-value]


ACTION_SECONDS = histogram(
    "saathi_action_seconds", "Time of one custom action on the action server, by action and outcome",
    ["action", "outcome"], buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))
TRIAGES = counter("saathi_triage_total", "Triage answers given by the assistant, by urgency", ["urgency"])
PORTAL_LOGINS = counter("saathi_portal_logins_total", "Portal sign-in steps by outcome", ["outcome"])
PORTAL_LOCKOUTS = counter("saathi_portal_lockouts_total", "Portal accounts locked after repeated failures")
HTTP_RESPONSES = counter("saathi_http_responses_total", "HTTP responses of the gateway and the portal by status class",
                         ["status"])
JOB_SECONDS = histogram(
    "saathi_job_seconds", "Time of one RQ job (its work horse), by queue, job and outcome",
    ["queue", "job", "outcome"], buckets=(0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0))
JOB_FAILURES = counter("saathi_job_failures_total", "RQ jobs that failed (raised, timed out, killed)", ["queue", "job"])


def closed(value: str | None, allowed: Iterable[str]) -> str:
    """``value`` when it is one of ``allowed``, else ``other``: a label never carries free text."""
    return value if value in tuple(allowed) else OTHER


def code_name(value: str | None) -> str:
    """A name from the code (a function's, an action's) as a label: lower-case identifier or ``other``."""
    return value if value and _NAME.fullmatch(value) else OTHER


def count_response(status_code: int) -> None:
    """One response by its class (``2xx`` … ``5xx``): what the 5xx-rate alert divides."""
    HTTP_RESPONSES.labels(f"{min(max(status_code // 100, 1), 5)}xx").inc()


def use_multiprocess_dir(directory: Path) -> None:
    """Multiprocess mode for a server whose workers are processes: every worker writes its samples
    under ``directory`` (emptied here: a new start begins from zero, as Prometheus expects of a
    restarted target). Call before anything imports a metric, in the parent of the workers."""
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True, exist_ok=True)
    os.environ[MULTIPROC_ENV] = str(directory)


def exposition(*collectors: Collector) -> tuple[bytes, str]:
    """The ``/metrics`` body and content type: this process's metrics (or, in multiprocess mode,
    every worker's added up), then what ``collectors`` read now (queues, the outbox)."""
    registry: CollectorRegistry = REGISTRY
    if os.environ.get(MULTIPROC_ENV):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    body = generate_latest(registry)
    if collectors:
        extra = CollectorRegistry(auto_describe=False)
        for collector in collectors:
            extra.register(collector)
        body += generate_latest(extra)
    return body, CONTENT_TYPE_LATEST


class QueueCollector(Collector):
    """RQ queues read at scrape time: jobs waiting, age of the oldest, failed and scheduled jobs,
    workers with a fresh heartbeat. Redis away: nothing is reported (``/ready`` names Redis)."""

    def __init__(self, redis_url: str, queues: Iterable[str]) -> None:
        self.redis_url = redis_url
        self.queues = tuple(queues)

    def describe(self) -> list[Metric]:
        return []  # read at scrape time only, never at registration

    def collect(self) -> Iterator[Metric]:
        if not self.redis_url:
            return
        from rq import Queue

        from engine.health import WORKER_HEARTBEAT_MAX_AGE, _redis

        families = {
            "depth": GaugeMetricFamily("saathi_queue_depth", "RQ jobs waiting in the queue", labels=["queue"]),
            "age": GaugeMetricFamily("saathi_queue_oldest_job_age_seconds",
                                     "Seconds the oldest waiting job has waited (0 when none)", labels=["queue"]),
            "failed": GaugeMetricFamily("saathi_queue_failed_jobs", "Jobs in the queue's failed registry",
                                        labels=["queue"]),
            "scheduled": GaugeMetricFamily("saathi_queue_scheduled_jobs", "Jobs scheduled for later (enqueue_at)",
                                           labels=["queue"]),
            "workers": GaugeMetricFamily("saathi_queue_workers", "RQ workers on the queue with a fresh heartbeat",
                                         labels=["queue"]),
        }
        try:
            connection = _redis(self.redis_url)
            now = time.time()
            workers = Worker.all(connection=connection)
            for name in self.queues:
                queue = Queue(name, connection=connection)
                oldest = queue.get_job_ids(0, 1)
                job = queue.fetch_job(oldest[0]) if oldest else None
                enqueued = job.enqueued_at if job is not None and job.enqueued_at else None
                age = max(0.0, now - enqueued.replace(tzinfo=dt.timezone.utc).timestamp()) if enqueued else 0.0
                fresh = sum(1 for w in workers if name in w.queue_names() and w.last_heartbeat is not None
                            and now - w.last_heartbeat.timestamp() <= WORKER_HEARTBEAT_MAX_AGE)
                families["depth"].add_metric([name], queue.count)
                families["age"].add_metric([name], age)
                families["failed"].add_metric([name], queue.failed_job_registry.count)
                families["scheduled"].add_metric([name], queue.scheduled_job_registry.count)
                families["workers"].add_metric([name], fresh)
        except Exception as exc:  # noqa: BLE001 - a scrape must not fail because Redis did
            log.warning("queue metrics unavailable: %s", type(exc).__name__)
            return
        yield from families.values()


class OutboxCollector(Collector):
    """Reminders and notifications (``engine.notify``'s outbox) read at scrape time: rows by status
    and channel (``whatsapp`` session message, ``template``, ``sms``), and how many are due but
    not sent. The worker that sends them forks a horse per job, so counting in the database is
    what survives; a due-but-unsent count that grows is the reminder backlog."""

    def __init__(self, database_url: str, overdue_after: dt.timedelta = dt.timedelta(minutes=10)) -> None:
        self.database_url = database_url
        self.overdue_after = overdue_after

    def describe(self) -> list[Metric]:
        return []

    def collect(self) -> Iterator[Metric]:
        from sqlalchemy import func, select

        from engine.health import _engine
        from engine.notify.models import Outbox

        rows = GaugeMetricFamily("saathi_reminders", "Outbox rows (reminders, notifications) by status and channel",
                                 labels=["status", "via"])
        overdue = GaugeMetricFamily("saathi_reminders_overdue",
                                    "Outbox rows still scheduled more than 10 minutes after they were due")
        try:
            with _engine(self.database_url).connect() as connection:
                for status, via, count in connection.execute(
                        select(Outbox.status, Outbox.via, func.count()).group_by(Outbox.status, Outbox.via)):
                    rows.add_metric([code_name(status), code_name(via) if via else "none"], count)
                late = dt.datetime.now(dt.timezone.utc) - self.overdue_after
                overdue.add_metric([], connection.execute(
                    select(func.count()).select_from(Outbox)
                    .where(Outbox.status == "scheduled", Outbox.due_at < late)).scalar_one())
        except Exception as exc:  # noqa: BLE001 - no outbox table yet, or the database is away: /ready says which
            log.warning("outbox metrics unavailable: %s", type(exc).__name__)
            return
        yield rows
        yield overdue


def job_name(job: Any) -> str:
    """The function a job runs, as a label (the last part of its dotted name)."""
    return code_name((getattr(job, "func_name", "") or "").rsplit(".", 1)[-1])


#: How often our RQ workers clean RQ's registries (a dead worker's job run again or failed, a dead
#: scheduler-lock holder replaced), and how long an idle one waits for a job before it gets there
#: (``worker_ttl`` - 15 s). RQ's defaults (600 s; 405 s) left a SIGKILLed replica's work for
#: minutes (bench/replicas.py): with these, about 90 s (RQ's heartbeat TTL) plus a round.
MAINTENANCE_SECONDS = 30
WORKER_OPTIONS = {"maintenance_interval": MAINTENANCE_SECONDS, "worker_ttl": MAINTENANCE_SECONDS + 15}


class MeasuredWorker:
    """Mixin for an RQ ``Worker``: times each job in the worker (around its work horse) and counts
    failures, by queue and :attr:`job_label` (override for jobs that share one entry point). Each
    work horse lets go of the worker's ``/metrics`` socket first (:func:`release_metrics_port`)."""

    def main_work_horse(self, job: Any, queue: Any) -> None:
        release_metrics_port()
        super().main_work_horse(job, queue)  # type: ignore[misc]

    def execute_job(self, job: Any, queue: Any) -> None:
        started = time.perf_counter()
        try:
            super().execute_job(job, queue)  # type: ignore[misc]
        finally:
            try:
                status = job.get_status(refresh=True)
            except Exception:  # noqa: BLE001 - result_ttl=0: a finished job is already gone
                status = None
            outcome = "failed" if str(getattr(status, "value", status)) == "failed" else "finished"
            name = str(queue.name)  # a name from the code (channels.jobs, engine.handoff.reminders)
            label = self.job_label(job)
            JOB_SECONDS.labels(name, label, outcome).observe(time.perf_counter() - started)
            if outcome == "failed":
                JOB_FAILURES.labels(name, label).inc()

    def job_label(self, job: Any) -> str:
        return job_name(job)


class MeasuredRQWorker(MeasuredWorker, Worker):
    """RQ's forking worker, measured (the portal's reminders worker)."""


#: A worker's metrics port taken by another process (the old work horse of a worker restarted
#: under it, before :func:`release_metrics_port`; anything else): the bind is tried again after
#: 1 s, then 2, 4 … at most 30 s apart, for at most 15 minutes (a horse ends with its job, and the
#: longest job timeout here is 5 minutes, channels.jobs), then the worker runs on without
#: ``/metrics`` and says so once.
BIND_RETRY = (1.0, 30.0, 15 * 60.0)
#: this process's metrics servers, whose listening sockets a forked work horse closes
_SERVERS: list[Any] = []


def release_metrics_port() -> None:
    """In a forked work horse: close its copy of the worker's listening ``/metrics`` socket.

    Why: ``fork`` copies every open descriptor, and RQ puts the horse in a process group of its
    own, so a horse outlives its worker's SIGKILL; holding the copy, it kept the port bound and the
    restarted worker ran without ``/metrics`` (seen in bench/replicas.py). Closing the copy leaves
    the worker's own socket serving (no ``shutdown``: the serving thread is not in the child)."""
    for server in _SERVERS:
        with contextlib.suppress(OSError):
            server.socket.close()


def _bind(port: int, host: str) -> None:
    from prometheus_client import start_http_server

    server, _thread = start_http_server(port, addr=host)
    _SERVERS.append(server)


def bind_when_free(port: int, host: str, retry: tuple[float, float, float] = BIND_RETRY) -> bool:
    """Bind ``/metrics`` on ``host:port``, waiting with doubling pauses (``retry``: first pause,
    longest pause, give up after) while another process holds the port; True once served."""
    pause, longest, within = retry
    deadline = time.monotonic() + within
    while True:
        try:
            _bind(port, host)
            return True
        except OSError as exc:
            if time.monotonic() + pause > deadline:
                log.warning("worker metrics not served on port %d: still taken (%s)", port, type(exc).__name__)
                return False
        time.sleep(pause)
        pause = min(pause * 2, longest)


def serve_worker_metrics(port: int, host: str, redis_url: str, queues: Iterable[str],
                         extra: Callable[[], Iterable[Collector]] = tuple,
                         retry: tuple[float, float, float] = BIND_RETRY) -> bool:
    """``/metrics`` of an RQ worker on ``host:port`` (a thread of the worker): its job metrics and
    its queues; True when served at once. ``port`` 0 turns it off. A port another process holds
    is logged and bound later, when it frees (:func:`bind_when_free` on a daemon thread): the
    worker takes jobs meanwhile."""
    if not port:
        return False
    REGISTRY.register(QueueCollector(redis_url, queues))
    for collector in extra():
        REGISTRY.register(collector)
    try:
        _bind(port, host)
        return True
    except OSError as exc:
        log.warning("worker metrics port %d taken (%s): binding it when it frees", port, type(exc).__name__)
    threading.Thread(target=bind_when_free, args=(port, host, retry), name="metrics-bind", daemon=True).start()
    return False
