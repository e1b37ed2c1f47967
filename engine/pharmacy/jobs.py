"""RQ jobs, enqueued on the reminders queue (the portal worker runs it with the scheduler)."""

from __future__ import annotations

import uuid


def expire_reservation(reservation_id: str) -> bool:
    """Release one hold if it is still open and due (a no-op when already picked up or cancelled)."""
    from engine.pharmacy.service import PharmacyService

    return PharmacyService.from_settings().expire(uuid.UUID(reservation_id))


def sweep() -> int:
    from engine.pharmacy.service import PharmacyService

    return PharmacyService.from_settings().sweep()
