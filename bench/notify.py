"""Benchmark: schedule N reminders and dispatch them through RQ with one worker.

Scheduling = one outbox row (PostgreSQL, unique dedupe key) + one ``enqueue_at`` each. Dispatch =
one RQ worker (``SimpleWorker``: no fork per job) with RQ's scheduler moving the due jobs, each job
claiming its row, checking opt-out and the WhatsApp window, and sending through the real
``TwilioSender`` to the local Twilio stand-in (HTTP per message). Uses its own database and RQ queue.

    .venv/bin/python bench/notify.py [--count 10000] [--redis redis://127.0.0.1:6379/0]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import redis  # noqa: E402
from rq import SimpleWorker  # noqa: E402

from engine.notify import NotifyService, Recipient, migrate  # noqa: E402
from engine.notify.jobs import set_service  # noqa: E402
from engine.notify.scheduling import RqAt  # noqa: E402
from engine.notify.twilio import TwilioTransport  # noqa: E402
from engine.outbound import TwilioSender  # noqa: E402
from engine.store import MemoryStore  # noqa: E402
from records.db import make_engine, make_session_factory  # noqa: E402
from tests.support.notify import MemorySealer  # noqa: E402
from tests.support.records import fresh_pg_database  # noqa: E402
from tests.twilio_standin import TwilioStandin  # noqa: E402


class EveryoneAddressBook:
    """Every patient has a (made-up) number; the bench measures scheduling and sending, not records."""

    def recipient(self, user_id: uuid.UUID) -> Recipient:
        return Recipient(f"+9198{user_id.int % 10**8:08d}", "hi", f"u-{user_id.hex}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    args = parser.parse_args()

    standin = TwilioStandin().start()
    os.environ.update({"TWILIO_ACCOUNT_SID": standin.account_sid, "TWILIO_AUTH_TOKEN": standin.auth_token,
                       "TWILIO_API_BASE_URL": standin.url, "TWILIO_SMS_FROM": "+14155238887"})
    from config.settings import Settings

    connection = redis.Redis.from_url(args.redis)
    scheduler = RqAt(connection, f"notify-bench-{uuid.uuid4().hex[:8]}")
    with fresh_pg_database("saathi_notify_bench") as url:
        migrate(url)
        engine = make_engine(url, pool_size=5)
        transport = TwilioTransport(TwilioSender(Settings(), MemoryStore()))
        svc = NotifyService(make_session_factory(engine), EveryoneAddressBook(), transport, MemoryStore(), scheduler,
                            quiet_hours=(0, 0), sealer=MemorySealer())
        set_service(svc)
        due = dt.datetime.now(dt.timezone.utc)
        try:
            start = time.perf_counter()
            for i in range(args.count):
                svc.schedule(uuid.uuid4(), "asha_notify_medicine", {"time": "08:00"}, due, dedupe=f"bench:{i}",
                             kind="medicine")
            scheduled = time.perf_counter() - start
            start = time.perf_counter()
            worker = SimpleWorker([scheduler.queue], connection=connection)
            # a burst run moves at most 1,000 due jobs (RQ's chunk); the long-running scheduler loops
            while len(scheduler.queue.scheduled_job_registry) or len(scheduler.queue):
                worker.work(burst=True, with_scheduler=True, logging_level="WARNING")
            dispatched = time.perf_counter() - start
            sent = len(standin.sent_messages())
        finally:
            set_service(None)
            scheduler.queue.delete(delete_jobs=True)
            engine.dispose()
            standin.stop()
    print(f"{args.count} reminders: scheduled in {scheduled:.1f} s ({args.count / scheduled:.0f}/s), "
          f"dispatched through RQ (1 worker) to the Twilio stand-in in {dispatched:.1f} s "
          f"({sent / dispatched:.0f}/s), {sent} messages received")
    return 0 if sent == args.count else 1


if __name__ == "__main__":
    sys.exit(main())
