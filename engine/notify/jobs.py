"""Entry points of the scheduled jobs (RQ imports them by name; arguments are ids only).

The notify service is the process's (:func:`engine.services.current`, built once by the process's
composition root on its one engine, records and sender); this module keeps none of its own.
Tests hand theirs in with :func:`set_service`.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from engine.notify.service import SENDING_LEASE, NotifyService
from engine.periodic import Periodic

log = logging.getLogger(__name__)


def set_service(service: NotifyService | None) -> None:
    """Hand this process a notify service (None: the process's root builds its own when asked)."""
    from engine.services import current

    current().provide(notify=service)


def service() -> NotifyService:
    """The process's notify service (:attr:`engine.services.ProcessServices.notify`)."""
    from engine.services import current

    return current().notify


def build(settings: Any, records: Any, *, sender: Any, scheduler: Any, scripts: Any | None = None) -> NotifyService:
    """A process's delivery path on parts it already has (its records, Twilio sender and
    scheduler): the same database and outbox, no second sender. The outbox tables come with the
    schema upgrade every process runs at start."""
    from engine.notify.addresses import RecordsAddressBook, RecordsSealer
    from engine.notify.twilio import TwilioTransport

    return NotifyService(records.sessions, RecordsAddressBook(records, settings.sender_salt),
                         TwilioTransport.from_settings(settings, sender), sender.store, scheduler,
                         quiet_hours=settings.quiet_hours, max_attempts=settings.notify_max_attempts,
                         sealer=RecordsSealer(records), scripts=scripts)


def dispatch(outbox_id: str) -> str:
    """The scheduled job: send one due notification."""
    return service().dispatch(outbox_id)


def rearm_at_start() -> int:
    """Start-up hook of every process that owns a notify scheduler (gateway, portal, portal worker):
    re-arm the outbox's scheduled rows. Never raises: a process must start even when the database or
    Redis is not there yet (the rows stay in the outbox for the next start)."""
    try:
        return service().rearm()
    except Exception as exc:  # noqa: BLE001 - logged by type only
        log.warning("scheduled notifications not re-armed: %s", type(exc).__name__)
        return 0


def stale_sweep(interval: dt.timedelta = dt.timedelta(minutes=10),
                stale_after: dt.timedelta = dt.timedelta(minutes=10)) -> Periodic:
    """Every ``interval``, re-arms rows overdue by more than ``stale_after`` (a daemon thread in the
    gateway). Why: the start-up hooks cover a restart of the process that sweeps, not of another one
    (the action server's timers) nor a Redis restart under a running worker."""

    def sweep() -> None:
        service().rearm(stale_after)

    return Periodic("stale notifications re-arm", interval, sweep)


#: How often the gateway looks for rows whose sender died mid-send: a quarter of the lease, so such
#: a reminder goes out at most a lease and a quarter after it was taken (2.5 min), not after the
#: next stale sweep (up to 12 min: bench/replicas.py's reminder sent "never" within the drain).
LEASE_SWEEP = SENDING_LEASE / 4


def lease_sweep(interval: dt.timedelta = LEASE_SWEEP, notify: Callable[[], NotifyService] = service) -> Periodic:
    """Every ``interval``, rows ``sending`` past their lease go back and out (:meth:`NotifyService.reclaim`:
    one UPDATE on the indexed status, cheap enough to run this often; several gateways: one gets each row)."""
    return Periodic("sending leases reclaim", interval, lambda: notify().reclaim())
