"""Reminder jobs (run by RQ's worker or the in-process timer): ids in, messages out."""

from __future__ import annotations

import uuid

from portal.handoff import Handoff

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
