"""``python -m portal``: serve the portal (what ``saathi up`` starts), or run its RQ worker.

``serve`` first brings the database to the newest records, portal, ASHA and notify schema (idempotent), then
runs a threaded WSGI server on ``PORTAL_PORT``. ``worker`` runs an RQ worker with the scheduler
for the ``portal`` queue (reminders; only with ``REDIS_URL``). Whichever of the two owns the
reminders (``serve`` without Redis, ``worker`` with it) re-arms them from the database at start.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys


def serve() -> int:
    from werkzeug.serving import make_server

    from portal import create_app
    from records import portal_migrations
    from saathi.settings import load

    settings = load()
    portal_migrations.upgrade(settings.effective_database_url)
    _engine_tables(settings)
    app = create_app(settings)
    if not settings.redis_url:  # in-process timers: this process owns the reminders (the worker does with Redis)
        from portal import jobs

        jobs.rearm_at_start(app.extensions["portal"].handoff, settings)
    server = make_server(settings.host, settings.portal_port, app, threaded=True)
    logging.getLogger(__name__).warning("portal listening on http://%s:%s", settings.host, settings.portal_port)
    server.serve_forever()
    return 0


def _engine_tables(settings) -> None:  # type: ignore[no-untyped-def]
    """The ASHA and notify tables the admin and prescription pages use (their own Alembic histories;
    the records keys seal what older schemas held in clear)."""
    from engine.asha import migrate as migrate_asha
    from engine.notify import migrate as migrate_notify
    from records import RecordsService

    records = RecordsService.from_settings(settings)
    migrate_asha(settings.effective_database_url, records)
    migrate_notify(settings.effective_database_url, records)


def worker() -> int:
    import redis
    from rq import Queue, Worker

    from engine.handoff.reminders import QUEUE_NAME
    from portal import jobs
    from saathi.settings import load

    settings = load()
    connection = redis.Redis.from_url(settings.redis_url)
    # Redis keeps nothing on disk here: jobs lost with a Redis restart are armed again from the
    # database (deterministic job ids, so jobs Redis still has are replaced, not doubled)
    jobs.rearm_at_start(settings=settings)
    Worker([Queue(QUEUE_NAME, connection=connection)], connection=connection).work(with_scheduler=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(stream=sys.stderr, level=os.environ.get("SAATHI_LOG_LEVEL", "WARNING"),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    parser = argparse.ArgumentParser(prog="python -m portal")
    parser.add_argument("command", choices=["serve", "worker"])
    args = parser.parse_args(argv)
    return serve() if args.command == "serve" else worker()


if __name__ == "__main__":
    sys.exit(main())
