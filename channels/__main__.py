"""``python -m channels``: serve the gateway (what ``saathi up`` starts), or run the RQ worker.

``python -m channels serve`` runs a threaded WSGI server on ``GATEWAY_PORT``;
``python -m channels worker`` runs an RQ worker for the media and speech jobs (with ``REDIS_URL``).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys


def serve() -> int:
    from werkzeug.serving import make_server

    from channels.app import create_app
    from saathi.settings import load

    settings = load()
    app = create_app(settings)
    if not settings.redis_url:
        # in-process timers die with a restart: arm the outbox's scheduled reminders again (the
        # portal does too; dispatch claims each row, so two processes arming it send it once)
        from engine.notify.jobs import rearm_at_start

        rearm_at_start(settings)
    from engine.notify.jobs import stale_sweep

    # rows whose timer or job was lost elsewhere (the action server restarted, Redis restarted
    # under a running worker) are armed again once they are 10 minutes overdue
    stale_sweep(settings).start()
    from channels.retention import prune_timer

    prune_timer(settings).start()  # old uploads and speech go now and every few hours (files on this disk)
    server = make_server(settings.host, settings.gateway_port, app, threaded=True)
    logging.getLogger(__name__).warning("gateway listening on http://%s:%s", settings.host, settings.gateway_port)
    server.serve_forever()
    return 0


def worker() -> int:
    import redis
    from rq import Queue, Worker

    from channels.jobs import QUEUE_NAME
    from saathi.settings import load

    connection = redis.Redis.from_url(load().redis_url)
    Worker([Queue(QUEUE_NAME, connection=connection)], connection=connection).work(with_scheduler=False)
    return 0


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(stream=sys.stderr, level=os.environ.get("SAATHI_LOG_LEVEL", "WARNING"),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from channels.redact import install

    install()  # no phone number reaches a log line, whatever a library puts in its messages
    parser = argparse.ArgumentParser(prog="python -m channels")
    parser.add_argument("command", choices=["serve", "worker"])
    args = parser.parse_args(argv)
    return serve() if args.command == "serve" else worker()


if __name__ == "__main__":
    sys.exit(main())
