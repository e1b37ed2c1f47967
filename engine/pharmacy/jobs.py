"""RQ jobs, enqueued on the reminders queue (the portal worker runs it with the scheduler).

The pharmacy service is the process's (:attr:`engine.services.ProcessServices.pharmacy`: the
worker's one engine, and the patient told of the change as everywhere else), not one per job.
"""

from __future__ import annotations

import uuid


def expire_reservation(reservation_id: str) -> bool:
    """Release one hold if it is still open and due (a no-op when already picked up or cancelled)."""
    from engine.services import current

    return current().pharmacy.expire(uuid.UUID(reservation_id))


def sweep() -> int:
    from engine.services import current

    return current().pharmacy.sweep()
