"""Entry points of the scheduled jobs (RQ imports them by name; arguments are ids only).

One :class:`NotifyService` per process, built from the settings on first use; tests and the
in-process deployment hand theirs in with :func:`set_service`.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from typing import Any

from engine.notify.service import NotifyService
from engine.periodic import Periodic

log = logging.getLogger(__name__)
_service: NotifyService | None = None
_lock = threading.Lock()


def set_service(service: NotifyService | None) -> None:
    global _service
    with _lock:
        _service = service


def service() -> NotifyService:
    global _service
    with _lock:
        if _service is None:
            _service = from_settings()
        return _service


def from_settings(settings: Any | None = None, **overrides: Any) -> NotifyService:
    from config.settings import load
    from engine.notify.addresses import RecordsAddressBook, RecordsSealer
    from engine.notify.models import migrate
    from engine.notify.scheduling import open_scheduler
    from engine.notify.twilio import TwilioTransport
    from engine.outbound import process_sender
    from records import RecordsService
    from records.db import make_engine, make_session_factory

    s = settings or load()
    records = RecordsService.from_settings(s)
    migrate(s.effective_database_url, records)
    sender = process_sender(s)  # the gateway's own when in-process: its store, its simulator outbox
    parts: dict[str, Any] = {
        "sessions": make_session_factory(make_engine(s.effective_database_url)),
        "addresses": RecordsAddressBook(records, s.sender_salt), "sealer": RecordsSealer(records),
        "transport": TwilioTransport.from_settings(s, sender), "state": sender.store,
        "scheduler": open_scheduler(s.redis_url),
    }
    parts.update(overrides)
    return NotifyService(**parts, quiet_hours=s.quiet_hours, max_attempts=s.notify_max_attempts)


def build(settings: Any, records: Any, *, sender: Any, scheduler: Any, scripts: Any | None = None) -> NotifyService:
    """A process's delivery path on parts it already has (the portal's records, Twilio sender and
    reminder scheduler): the same database and outbox as :func:`from_settings` builds, no second
    sender. The outbox tables come with the schema upgrade every process runs at start."""
    from engine.notify.addresses import RecordsAddressBook, RecordsSealer
    from engine.notify.twilio import TwilioTransport

    return NotifyService(records.sessions, RecordsAddressBook(records, settings.sender_salt),
                         TwilioTransport.from_settings(settings, sender), sender.store, scheduler,
                         quiet_hours=settings.quiet_hours, max_attempts=settings.notify_max_attempts,
                         sealer=RecordsSealer(records), scripts=scripts)


def dispatch(outbox_id: str) -> str:
    """The scheduled job: send one due notification."""
    return service().dispatch(outbox_id)


def rearm_at_start(settings: Any | None = None) -> int:
    """Start-up hook of every process that owns a notify scheduler (gateway, portal, portal worker):
    re-arm the outbox's scheduled rows. Never raises: a process must start even when the database or
    Redis is not there yet (the rows stay in the outbox for the next start)."""
    try:
        return service().rearm() if settings is None else _rearm_with(settings)
    except Exception as exc:  # noqa: BLE001 - logged by type only
        log.warning("scheduled notifications not re-armed: %s", type(exc).__name__)
        return 0


def _rearm_with(settings: Any) -> int:
    return _service_with(settings).rearm()


def _service_with(settings: Any) -> NotifyService:
    global _service
    with _lock:
        if _service is None:
            _service = from_settings(settings)
        return _service


def stale_sweep(settings: Any | None = None, interval: dt.timedelta = dt.timedelta(minutes=10),
                stale_after: dt.timedelta = dt.timedelta(minutes=10)) -> Periodic:
    """Every ``interval``, re-arms rows overdue by more than ``stale_after`` (a daemon thread in the
    gateway). Why: the start-up hooks cover a restart of the process that sweeps, not of another one
    (the action server's timers) nor a Redis restart under a running worker."""

    def sweep() -> None:
        svc = service() if settings is None else _service_with(settings)
        svc.rearm(stale_after)

    return Periodic("stale notifications re-arm", interval, sweep)
