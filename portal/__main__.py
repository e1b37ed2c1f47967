"""``python -m portal``: serve the portal (what ``saathi up`` starts), or run its RQ worker.

``serve`` first brings the database to the newest records, portal, ASHA and notify schema (idempotent), then
runs a threaded WSGI server on ``PORTAL_PORT``. ``worker`` runs an RQ worker with the scheduler
for the ``portal`` queue (reminders; only with ``REDIS_URL``). Whichever of the two owns the
reminders (``serve`` without Redis, ``worker`` with it) re-arms them from the database at start.
"""

from __future__ import annotations

import sys


def serve() -> int:
    from config.settings import load
    from engine import schema
    from engine.entry import serve_forever
    from engine.services import ProcessServices
    from portal import create_app
    from portal.services import build

    settings = load()
    # the portal's composition root: one engine and records (which also seal what older schemas
    # held in clear while every table the portal's pages use is brought up, engine.schema), the
    # portal's services on them, installed as the process's by create_app (portal.services.compose)
    records = ProcessServices(settings).records
    schema.upgrade(settings.effective_database_url, records)
    app = create_app(settings, build(settings, records=records))
    if not settings.redis_url:  # in-process timers: this process owns the reminders (the worker does with Redis)
        from portal import jobs

        jobs.rearm_at_start()
    return serve_forever(app, settings.host, settings.portal_port, "portal")


def worker() -> int:
    import redis
    from rq import Queue

    from config.settings import load
    from engine.handoff.reminders import QUEUE_NAME
    from portal import jobs
    from portal.services import compose

    settings = load()
    # the worker's composition root: one engine, records, doctor handoff and notifications for
    # every job it runs (reminders, notifications, pharmacy holds), built here once
    compose(settings)
    connection = redis.Redis.from_url(settings.redis_url)
    # Redis keeps nothing on disk here: jobs lost with a Redis restart are armed again from the
    # database (deterministic job ids, so jobs Redis still has are replaced, not doubled)
    jobs.rearm_at_start()
    from engine.metrics import WORKER_OPTIONS, MeasuredRQWorker, serve_worker_metrics

    serve_worker_metrics(settings.worker_metrics_port + 1 if settings.worker_metrics_port else 0,
                         settings.host, settings.redis_url, [QUEUE_NAME])
    # Every replica runs RQ's scheduler, but one holds its lock (61 s, refreshed); the others try
    # to take it over only in their maintenance round, every 10 minutes by default, and an idle
    # worker waits for a job up to worker_ttl - 15 s (405 s) before it even gets there: reminders
    # stopped for minutes when the holder died (bench/replicas.py: 24 of 40, then 25 of 60, not
    # sent 200 s later). A round every 30 s and a 30 s wait: a dead holder's reminders go out
    # about 90 s late at most.
    MeasuredRQWorker([Queue(QUEUE_NAME, connection=connection)], connection=connection,
                     **WORKER_OPTIONS).work(with_scheduler=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    from engine.entry import run_process

    return run_process("python -m portal", {"serve": serve, "worker": worker}, argv)


if __name__ == "__main__":
    sys.exit(main())
