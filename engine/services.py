"""What every process's composition root builds the same way: one engine, records, pharmacy.

A process (the gateway's :class:`channels.services.GatewayServices`, the action server's
:class:`actions.services.ActionServices`) extends :class:`ProcessServices` with what only it needs.
Each service is made when first asked for, once, under a lock: a process must start, and answer
emergencies, while the database is not there yet, and a failure to make one is the caller's to
absorb. Tests hand in their own (``records=…``, ``pharmacy=…``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from config.settings import Settings
from engine.pharmacy import PharmacyService
from records import RecordsService


class ProcessServices:
    def __init__(self, settings: Settings, **given: Any) -> None:
        self.settings = settings
        self._made: dict[str, Any] = dict(given)
        self._sessions: sessionmaker[Session] | None = None
        self._lock = threading.RLock()

    def _once(self, name: str, make: Callable[[], Any]) -> Any:
        with self._lock:
            if self._made.get(name) is None:
                self._made[name] = make()
            return self._made[name]

    @property
    def sessions(self) -> sessionmaker[Session]:
        """The process's one session factory (one engine, one connection pool)."""
        with self._lock:
            if self._sessions is None:
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
                scheduler=rq_scheduler(self.settings.redis_url)))

        return self._once("pharmacy", make)
