"""Test helpers (plain code): a scheduler run by hand against a movable clock, a recording transport
that can be told to fail, a dictionary for the gateway's state, a fixed address book, a sealer
with in-memory keys, and a NotifyService built from them over a real database."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from config.timezone import IST
from engine.handoff.reminders import resolve
from engine.notify.jobs import set_service
from engine.notify.service import NotifyService, Recipient, SentMessage
from records.crypto import Place, new_data_key
from records.db import make_engine, make_session_factory


def redis_connection() -> Any:
    """The local Redis the RQ tests need, or a skip when it is not running."""
    from tests.support.redis_server import redis_or_skip

    return redis_or_skip("redis://127.0.0.1:6379/0")


def ist(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A moment in November 2026, given in IST, as UTC (how the notify tests write times)."""
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=IST).astimezone(dt.timezone.utc)


@dataclass
class ManualScheduler:
    """Remembers jobs instead of running them; tests run them by hand (:meth:`run_due`)."""

    jobs: list[tuple[dt.datetime, str, tuple[str, ...]]] = field(default_factory=list)

    def at(self, when: dt.datetime, function: str, *args: str) -> str:
        self.jobs.append((when, function, args))
        return f"job-{len(self.jobs)}"

    def cancel(self, job_id: str) -> None:
        """The Scheduler protocol's cancel; the job stays listed (the tests read the rows' state)."""

    def run_due(self, now: dt.datetime) -> int:
        """Run (and drop) every job due at ``now``, including ones those jobs schedule for now."""
        ran = 0
        while due := [j for j in self.jobs if j[0] <= now]:
            for job in due:
                self.jobs.remove(job)
                resolve(job[1])(*job[2])
                ran += 1
        return ran


@dataclass
class RecordingTransport:
    sent: list[dict[str, Any]] = field(default_factory=list)
    failures: int = 0

    def _record(self, **item: Any) -> str:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("simulated outage")
        self.sent.append(item)
        return f"SM{len(self.sent):030d}"

    def send_text(self, to: str, body: str, media_url: str | None = None) -> str:
        return self._record(to=to, body=body, **({"media": media_url} if media_url else {}))

    def call(self, to: str, text: str, language: str) -> str:
        return self._record(to=to, call=text, language=language)

    def send_template(self, to: str, content_sid: str, variables: dict[str, str]) -> str:
        return self._record(to=to, content_sid=content_sid, variables=variables)

    def sent_since(self, to: str, since: Any) -> list[SentMessage]:
        """What Twilio would list for ``to``: the texts this transport took (reconcile)."""
        return [SentMessage(f"SM{i + 1:030d}", item["to"], item["body"]) for i, item in enumerate(self.sent)
                if item.get("to") == to and "body" in item]


@dataclass
class DictState:
    values: dict[str, Any] = field(default_factory=dict)

    def get(self, key: str) -> Any:
        return self.values.get(key)

    def delete(self, key: str) -> None:
        self.values.pop(key, None)


@dataclass
class FixedAddressBook:
    people: dict[uuid.UUID, Recipient] = field(default_factory=dict)

    def recipient(self, user_id: uuid.UUID) -> Recipient | None:
        return self.people.get(user_id)


@dataclass
class MemorySealer:
    """Real AES-GCM sealing with a data key per person made on first use, kept in memory (for
    tests whose people are not in a records database); ``forget`` plays a deleted person."""

    keys: dict[uuid.UUID, Any] = field(default_factory=dict)
    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32))

    def _key(self, user_id: uuid.UUID, create: bool) -> Any:
        if user_id not in self.keys:
            if not create:
                raise LookupError("no data key")
            self.keys[user_id] = new_data_key(user_id)
        return self.keys[user_id]

    def seal(self, user_id: uuid.UUID, row_id: uuid.UUID, value: dict[str, str]) -> Any:
        return self._key(user_id, True).seal(value, Place("notify_outbox", "fields_enc", str(row_id)))

    def open(self, user_id: uuid.UUID, row_id: uuid.UUID, sealed: Any) -> dict[str, str]:
        return self._key(user_id, False).open(sealed, Place("notify_outbox", "fields_enc", str(row_id)))

    def digest(self, text: str) -> str:
        return "d:" + hmac.new(self.secret, text.encode(), hashlib.sha256).hexdigest()

    def forget(self, user_id: uuid.UUID) -> None:
        self.keys.pop(user_id, None)


def stand_in_service(database: str | sessionmaker[Session], people: dict[uuid.UUID, Recipient] | None = None, *,
                     scheduler: Any = None, transport: Any = None, state: Any = None, sealer: Any = None,
                     templates: dict[str, dict[str, Any]] | None = None, **options: Any) -> NotifyService:
    """A NotifyService over a real database (a URL or a session factory) with the stand-ins above for
    the rest: a ManualScheduler, RecordingTransport, DictState and MemorySealer unless given, and no
    WhatsApp templates. The parts are the service's attributes (``svc.transport.sent``)."""
    sessions = make_session_factory(make_engine(database)) if isinstance(database, str) else database
    return NotifyService(sessions, FixedAddressBook(dict(people or {})),
                         RecordingTransport() if transport is None else transport,
                         DictState() if state is None else state,
                         ManualScheduler() if scheduler is None else scheduler,
                         templates=templates or {}, sealer=MemorySealer() if sealer is None else sealer, **options)


@contextmanager
def serving(svc: NotifyService) -> Iterator[NotifyService]:
    """``svc`` is the service scheduled jobs (engine.notify.jobs.dispatch) find until the block ends."""
    set_service(svc)
    try:
        yield svc
    finally:
        set_service(None)
