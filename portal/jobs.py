"""Reminder jobs (run by RQ's worker or the in-process timer): ids in, messages out.

The doctor handoff they run is the process's (its ``portal_handoff`` part, handed in by
:func:`portal.services.compose` in the portal and its worker; another process that schedules
reminders in-process builds one on its own records once). This module keeps none of its own.
"""

from __future__ import annotations

import logging
import uuid

from engine.handoff.service import Handoff

log = logging.getLogger(__name__)


def register(handoff: Handoff | None) -> None:
    """Hand this process a doctor handoff for its reminder jobs (tests; None: built when asked)."""
    from engine.services import current

    current().provide(portal_handoff=handoff)


def _handoff() -> Handoff:
    from engine.services import current

    services = current()

    def make() -> Handoff:
        from portal.services import build

        return build(services.settings, records=services.records).handoff

    return services.part("portal_handoff", make)


def remind(case_id: str, side: str) -> bool:
    return _handoff().remind(uuid.UUID(case_id), side)


def follow_up(case_id: str) -> bool:
    return _handoff().follow_up(uuid.UUID(case_id))


def rearm_at_start() -> int:
    """Start-up hook of the process that owns the portal's scheduler (the portal without Redis, the
    portal worker with it): re-arm slot reminders, then the notify outbox (medicine reminders the
    portal and the bot scheduled). Never raises: the process must start even if this fails."""
    armed = 0
    try:
        armed += _handoff().rearm()
    except Exception as exc:  # noqa: BLE001 - logged by type only
        log.warning("portal reminders not re-armed: %s", type(exc).__name__)
    from engine.notify.jobs import rearm_at_start as rearm_notify

    return armed + rearm_notify()
