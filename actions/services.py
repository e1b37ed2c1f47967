"""The action server's services over the database, built in one place.

One Settings, one SQLAlchemy engine, one :class:`~records.RecordsService` on it, and on the same
engine the pharmacy service (both from :class:`engine.services.ProcessServices`, as the gateway's)
and the doctor handoff (the portal's queue, on the same records). The action server's composition root (:func:`install`, called
by :func:`actions.server.secured_app` in every Sanic worker) makes one :class:`ActionServices`; the
actions take theirs from :func:`current` (``actions.health_record.service``,
``actions.pharmacy.pharmacy_service``, ``actions.doctor.handoff`` only hand it on). rasa-sdk makes
the action objects itself, without arguments, so the services reach them through this one
per-process holder rather than through constructors.

Each service is made when first asked for, once, under a lock: the bot must answer, emergencies
above all, while the database or the portal is not there yet, and a failure to make one is the
caller's to absorb. Tests hand in their own (``install(ActionServices(settings, records=…))``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from config.settings import Settings
from engine.services import ProcessServices

log = logging.getLogger(__name__)

#: after a failed attempt to reach the portal, try again only after this many seconds
RETRY_AFTER = 60.0


class ActionServices(ProcessServices):
    """Records and pharmacy (:class:`engine.services.ProcessServices`) and the doctor handoff."""

    def __init__(self, settings: Settings, *, records: Any | None = None, pharmacy: Any | None = None,
                 handoff: Any | None = None) -> None:
        super().__init__(settings, records=records, pharmacy=pharmacy)
        self._handoff = handoff
        self._handoff_failed_at = 0.0

    def set_handoff(self, handoff: Any) -> None:
        """Hand in a :class:`engine.handoff.service.Handoff` (or None to build one again when asked)."""
        with self._lock:
            self._handoff, self._handoff_failed_at = handoff, 0.0

    def handoff(self, portal_ready: Callable[[str], bool]) -> Any:
        """The doctor handoff on this process's records, built on first use; None while the portal
        is not set up (``portal_ready`` says whether its tables exist), asked again after
        :data:`RETRY_AFTER` seconds."""
        with self._lock:
            if self._handoff is not None:
                return self._handoff
            if self._handoff_failed_at and time.monotonic() - self._handoff_failed_at < RETRY_AFTER:
                return None
            try:
                if not portal_ready(self.settings.effective_database_url):
                    raise RuntimeError("portal tables missing (saathi portal migrate)")
                from engine.handoff.service import build_handoff

                self._handoff = build_handoff(self.settings, self.records)
                return self._handoff
            except Exception as exc:  # noqa: BLE001 - the bot must answer even without the portal
                log.warning("doctor handoff unavailable: %s", type(exc).__name__)
                self._handoff_failed_at = time.monotonic()
                return None


def install(services: ActionServices | None) -> None:
    """The composition root: this process's services from now on (None: built again when asked),
    in the process's one holder (:func:`engine.services.install`), so the reminders and
    notifications the action server's timers run use the same engine."""
    from engine.services import install as install_services

    install_services(services)


def build(settings: Settings | None = None) -> ActionServices:
    """Settings → the services (nothing connects until first used); installed for the actions."""
    from config.settings import load

    services = ActionServices(settings or load())
    install(services)
    return services


def current() -> ActionServices:
    """The services :func:`install` handed in; built from settings when no root did (``rasa_sdk``
    run directly, a test that calls an action on its own)."""
    from engine.services import installed

    services = installed()
    return services if isinstance(services, ActionServices) else build()
