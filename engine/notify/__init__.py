"""Notifications: medicine, appointment and check-up reminders, pharmacy pickup notices,
emergency alerts to a patient's ASHA, the ASHA's daily summary.

Public API::

    from engine.notify import NotifyService, producers, migrate
    svc = NotifyService(sessions, addresses, transport, state, scheduler, clock=..., quiet_hours=(22, 7),
                        sealer=RecordsSealer(records))   # fields sealed for the recipient
    producers.medicine_reminders(svc, patient_id, [{"frequency": "1-0-1", "days": 5}], ref=rx_id, start=today)
    producers.emergency_alert(svc, asha_id, "KD472", patient_id)
    pharmacy_service.notifier = producers.pharmacy_notifier(svc)
    engine.notify.jobs.dispatch(outbox_id)          # the scheduled job (RQ or in-process timer)

Plain Python (no Flask, no Rasa); Twilio only through :mod:`engine.notify.twilio`.
"""

from engine.notify import producers
from engine.notify.models import migrate
from engine.notify.service import NotifyService, Recipient

__all__ = ["NotifyService", "Recipient", "migrate", "producers"]
