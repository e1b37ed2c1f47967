"""A real RQ worker process for the notify outbox, with a Twilio whose sends can be held.

``python -m tests.support.notify_worker DATABASE_URL QUEUE LOG``: works ``QUEUE`` (Redis
127.0.0.1:6379/0) with RQ's scheduler, dispatching through :class:`engine.notify.NotifyService`
on ``DATABASE_URL``. The transport writes ``start <to>`` to ``LOG`` when a send begins and
``sent <to>`` once Twilio would have taken it; while the file ``LOG.hold`` exists a send waits
in between (the message has not reached Twilio yet), so a test can SIGKILL the worker mid-send.
The sealer is a stand-in for the records keys: every row opens to the same fields.
"""

from __future__ import annotations

import hashlib
import sys
import time
import uuid
from pathlib import Path
from typing import Any

#: The fields every row opens to (the test schedules rows with the same).
FIELDS = {"date": "01/12"}


class HeldTransport:
    def __init__(self, log: Path) -> None:
        self.log = log
        self.hold = log.with_name(log.name + ".hold")

    def _send(self, to: str) -> str:
        with self.log.open("a") as out:
            out.write(f"start {to}\n")
        while self.hold.exists():
            time.sleep(0.05)
        with self.log.open("a") as out:
            out.write(f"sent {to}\n")
        return f"SM{uuid.uuid4().hex}"

    def send_text(self, to: str, body: str, media_url: str | None = None) -> str:
        return self._send(to)

    def send_template(self, to: str, content_sid: str, variables: dict[str, str]) -> str:
        return self._send(to)

    def sent_since(self, to: str, since: Any) -> list[Any]:
        """What Twilio holds for ``to`` (reconcile): nothing, the test kills a send before Twilio has it."""
        return []


class FixedFields:
    def seal(self, user_id: uuid.UUID, row_id: uuid.UUID, value: dict[str, str]) -> Any:
        raise NotImplementedError("the worker only sends")

    def open(self, user_id: uuid.UUID, row_id: uuid.UUID, sealed: Any) -> dict[str, str]:
        return dict(FIELDS)

    def digest(self, text: str) -> str:
        return hashlib.sha256(text.encode()).hexdigest()  # the same in every process


def anyone(user_id: uuid.UUID) -> Any:
    """Everyone has a number (made from their id) and reads English."""
    from engine.notify import Recipient

    return Recipient(f"+9198{user_id.int % 10**8:08d}", "en", f"u-{user_id.hex[:8]}")


class AnyoneBook:
    def recipient(self, user_id: uuid.UUID) -> Any:
        return anyone(user_id)


def main(url: str, queue_name: str, log: str) -> None:
    import redis
    from rq import Worker

    from engine.notify import NotifyService
    from engine.notify.jobs import set_service
    from engine.notify.scheduling import RqAt
    from records.db import make_engine, make_session_factory

    connection = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    scheduler = RqAt(connection, queue_name)
    set_service(NotifyService(make_session_factory(make_engine(url)), AnyoneBook(), HeldTransport(Path(log)),
                              {}, scheduler, quiet_hours=(0, 0), templates={}, sealer=FixedFields()))
    from engine.metrics import WORKER_OPTIONS  # as the reminder workers run (a dead lock holder's round)

    Worker([scheduler.queue], connection=connection, **WORKER_OPTIONS).work(with_scheduler=True)


if __name__ == "__main__":
    main(*sys.argv[1:4])
