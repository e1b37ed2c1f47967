"""``python -m channels``: serve the gateway (what ``saathi up`` starts), or run the RQ worker.

``python -m channels serve`` runs a threaded WSGI server on ``GATEWAY_PORT``;
``python -m channels worker`` runs an RQ worker for the media and speech jobs (with ``REDIS_URL``),
each job under ``SAATHI_WORKER_MEMORY_MB`` of address space.
"""

from __future__ import annotations

import sys


def serve() -> int:
    from channels.app import create_app
    from config.settings import load
    from engine.entry import serve_forever

    settings = load()
    app = create_app(settings)
    from channels.conversation import load_readers

    load_readers()  # before the first message, not on it (the media worker's start does too)
    if not settings.redis_url:
        # in-process timers die with a restart: arm the outbox's scheduled reminders again (the
        # portal does too; dispatch claims each row, so two processes arming it send it once)
        from engine.notify.jobs import rearm_at_start

        rearm_at_start()  # the app's services (create_app installed them)
    from engine.notify.jobs import lease_sweep, stale_sweep

    # rows whose timer or job was lost elsewhere (the action server restarted, Redis restarted
    # under a running worker) are armed again once they are 10 minutes overdue
    stale_sweep().start()
    lease_sweep().start()  # rows whose sender died mid-send: out again a lease and a quarter after it took them
    from channels.retention import export_purge_timer, prune_timer

    prune_timer(settings).start()  # old uploads and speech go now and every few hours (files on this disk)
    export_purge_timer(settings).start()  # FHIR exports whose one-time link expired, now and every hour
    from engine.transcripts import retention_timer

    retention_timer(settings).start()  # conversations past SAATHI_TRANSCRIPT_RETENTION_DAYS, now and every 6 hours
    from engine.surveillance.alerts import alert_sweep

    alert_sweep(settings).start()  # outbreak alerts to the districts' officers, once per cluster
    from channels.replay import Replayer

    Replayer(app.config["GATEWAY"]).start()  # messages kept while Rasa was down are answered when it is back
    return serve_forever(app, settings.host, settings.gateway_port, "gateway")


def worker() -> int:
    import redis
    from rq import Queue

    from channels.context import Gateway, install
    from channels.jobs import QUEUE_NAME, MediaWorker
    from config.settings import load
    from engine.metrics import WORKER_OPTIONS
    from engine.sandbox import MB

    settings = load()
    # the worker's composition root: one gateway (store, sender, one database engine, records) for
    # all its jobs, built here once; the jobs find it through channels.context.worker_gateway. The
    # engine is made now (it does not connect), before RQ forks a work horse per job: every horse
    # uses it with connections of its own (records.db), instead of making an engine per job
    gateway = Gateway.from_settings(settings)
    _ = gateway.services.sessions
    install(gateway)
    from channels.conversation import load_readers
    from engine.speech.stt import warm

    # Whisper is loaded once here and kept: voice notes run in this process (channels.jobs), so a
    # note does not pay the model load; the forked horses (photos, spoken replies) never touch it.
    # The text readers (red-flag tables 1.0 s CPU, language guesser, catalogues 0.2 s) are read here
    # too, as the gateway reads them, once for every job instead of by each job
    warm()
    load_readers()
    connection = redis.Redis.from_url(settings.redis_url)
    # a job whose worker was killed with it is run again (channels.jobs) once a live worker's
    # maintenance round finds it: every 30 s here, not RQ's 10 minutes
    media_worker = MediaWorker([Queue(QUEUE_NAME, connection=connection)], connection=connection, **WORKER_OPTIONS)
    media_worker.memory_bytes = max(0, settings.worker_memory_mb) * MB
    from engine.metrics import serve_worker_metrics

    serve_worker_metrics(settings.worker_metrics_port, settings.host, settings.redis_url, [QUEUE_NAME])
    media_worker.work(with_scheduler=False)
    return 0


def main(argv: list[str] | None = None) -> int:
    from channels.redact import install  # no phone number reaches a log line, whatever a library logs
    from engine.entry import run_process

    return run_process("python -m channels", {"serve": serve, "worker": worker}, argv, prepare=install)


if __name__ == "__main__":
    sys.exit(main())
