"""Reminder jobs (run by RQ's worker or the in-process timer): ids in, messages out."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from engine.handoff.service import Handoff

log = logging.getLogger(__name__)
_current: Handoff | None = None


def register(handoff: Handoff) -> None:
    """The portal process registers its Handoff so in-process timers reuse its connections."""
    global _current
    _current = handoff


def _handoff() -> Handoff:
    global _current
    if _current is None:  # an RQ worker process: build from settings once
        from portal.services import build

        _current = build().handoff
    return _current


def remind(case_id: str, side: str) -> bool:
    return _handoff().remind(uuid.UUID(case_id), side)


def follow_up(case_id: str) -> bool:
    return _handoff().follow_up(uuid.UUID(case_id))


def rearm_at_start(handoff: Handoff | None = None, settings: Any | None = None) -> int:
    """Start-up hook of the process that owns the portal's scheduler (the portal without Redis, the
    portal worker with it): re-arm slot reminders, then the notify outbox (medicine reminders the
    portal and the bot scheduled). Never raises: the process must start even if this fails."""
    armed = 0
    try:
        armed += (handoff or _handoff()).rearm()
    except Exception as exc:  # noqa: BLE001 - logged by type only
        log.warning("portal reminders not re-armed: %s", type(exc).__name__)
    from engine.notify.jobs import rearm_at_start as rearm_notify

    return armed + rearm_notify(settings)
