"""What every process's composition root builds the same way: one engine, records, pharmacy,
the Twilio sender and the patients' notifications.

A process (the gateway's :class:`channels.services.GatewayServices`, the action server's
:class:`actions.services.ActionServices`) extends :class:`ProcessServices` with what only it needs.
Each service is made when first asked for, once, under a lock: a process must start, and answer
emergencies, while the database is not there yet, and a failure to make one is the caller's to
absorb. Tests hand in their own (``records=…``, ``pharmacy=…``, ``notify=…``).

RQ runs jobs as module-level functions (``engine.notify.jobs.dispatch``,
``engine.pharmacy.jobs.expire_reservation``, the gateway's media jobs), so a job cannot be handed
its services through a constructor. The process's entry point (``python -m channels worker``,
``python -m portal worker``, the gateway's and the portal's app factories) builds its services once
and :func:`install` s them; every job of the process takes them from :func:`current`, so a worker
has one SQLAlchemy engine, one records service and one sender for all its jobs. This is the one
place a process keeps them: no job module caches its own.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session, sessionmaker

from config.settings import Settings
from engine.pharmacy import PharmacyService
from records import RecordsService

if TYPE_CHECKING:
    from engine.notify.service import NotifyService
    from engine.outbound import TwilioSender


class ProcessServices:
    def __init__(self, settings: Settings, **given: Any) -> None:
        self.settings = settings
        self._made: dict[str, Any] = dict(given)
        self._sessions: sessionmaker[Session] | None = None
        self._lock = threading.RLock()

    def provide(self, **parts: Any) -> None:
        """Hand in parts after the fact (a test's notify service); None: made again when asked."""
        with self._lock:
            self._made.update(parts)

    def part(self, name: str, make: Callable[[], Any]) -> Any:
        """A part only some processes need (the portal's doctor handoff), made once by ``make``."""
        return self._once(name, make)

    def _once(self, name: str, make: Callable[[], Any]) -> Any:
        with self._lock:
            if self._made.get(name) is None:
                self._made[name] = make()
            return self._made[name]

    @property
    def sessions(self) -> sessionmaker[Session]:
        """The process's one session factory (one engine, one connection pool): the records
        service's when one was handed in, so handing in records never makes a second engine."""
        with self._lock:
            if self._sessions is None:
                given = getattr(self._made.get("records"), "sessions", None)
                if given is not None:
                    self._sessions = given
                else:
                    from records.db import make_engine, make_session_factory

                    self._sessions = make_session_factory(make_engine(self.settings.effective_database_url))
            return self._sessions

    @property
    def records(self) -> RecordsService:
        """The records service (keys and file store from settings) on the process's engine."""
        return self._once("records", lambda: RecordsService.from_settings(self.settings, self.sessions))

    @property
    def pharmacy(self) -> PharmacyService:
        """The pharmacy service; a pickup made ready tells the patient (engine.notify)."""
        def make() -> PharmacyService:
            import datetime as dt

            from engine.notify.producers import attach_pharmacy_notifier
            from engine.pharmacy.service import rq_scheduler

            return attach_pharmacy_notifier(PharmacyService(
                self.sessions, hold_for=dt.timedelta(hours=self.settings.pharmacy_hold_hours),
                scheduler=rq_scheduler(self.settings.redis_url)), lambda: self.notify)

        return self._once("pharmacy", make)

    @property
    def sender(self) -> TwilioSender:
        """The process's one way out to Twilio (the gateway hands in its own, so in-process jobs
        share its memory store: delivery status, the simulator's outbox)."""
        def make() -> TwilioSender:
            from engine.outbound import TwilioSender
            from engine.store import open_store

            return TwilioSender(self.settings, open_store(self.settings.redis_url))

        return self._once("sender", make)

    @property
    def notify(self) -> NotifyService:
        """The patients' notifications (engine.notify) on the process's records, sender and the
        notify scheduler (RQ with Redis, in-process timers without); its tables made if missing."""
        def make() -> NotifyService:
            from engine.notify.jobs import build
            from engine.notify.models import migrate
            from engine.notify.scheduling import open_scheduler

            migrate(self.settings.effective_database_url, self.records)
            return build(self.settings, self.records, sender=self.sender,
                         scheduler=open_scheduler(self.settings.redis_url))

        return self._once("notify", make)


_lock = threading.RLock()
_current: ProcessServices | None = None


def install(services: ProcessServices | None) -> ProcessServices | None:
    """The process's composition root hands in its services (None: built again when next asked);
    returns them."""
    global _current
    with _lock:
        _current = services
    return services


def installed() -> ProcessServices | None:
    """What the process's root installed, if it did (nothing is built)."""
    with _lock:
        return _current


def current() -> ProcessServices:
    """The services the process's root installed; when none did (a plain ``rq worker``, a command
    that runs a job by hand) one :class:`ProcessServices` from the settings, installed for the rest."""
    global _current
    with _lock:
        if _current is None:
            from config.settings import load

            _current = ProcessServices(load())
        return _current
