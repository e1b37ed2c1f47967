"""What gets scheduled, and when: one function per kind of notification.

Dedupe keys are built from the source's own ids and the due moment, so running a producer again
(a re-sent prescription, a restarted scheduler, a second status webhook) schedules nothing new.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from engine.notify import timing
from engine.notify.service import NotifyService


def medicine_reminders(svc: NotifyService, patient_id: uuid.UUID, items: list[dict[str, Any]], *, ref: str,
                       start: dt.date, times: dict[str, dt.time] | None = None) -> int:
    """Reminders for each prescription item ``{"frequency": "1-0-1", "days": 5}`` at the patient's
    chosen IST times (``times``, else those saved with :meth:`NotifyService.set_dose_times`, else
    08:00 / 14:00 / 18:00 / 21:00). The message names the time only, never the medicine (phones are shared)."""
    count = 0
    now = svc.clock()
    times = times if times is not None else svc.dose_times(patient_id)
    for index, item in enumerate(items):
        for moment in timing.medicine_times(item["frequency"], start, int(item.get("days") or 1), times, now):
            local = moment.astimezone(timing.IST).strftime("%H:%M")
            if svc.schedule(patient_id, "asha_notify_medicine", {"time": local}, moment,
                            dedupe=f"med:{ref}:{index}:{moment.isoformat()}", kind="medicine"):
                count += 1
    return count


def appointment_reminders(svc: NotifyService, user_id: uuid.UUID, starts_at: dt.datetime, *, ref: str) -> int:
    """The evening before (18:00 IST) and one hour before the appointment, when still ahead."""
    local = starts_at.astimezone(timing.IST)
    fields = {"date": local.strftime("%d/%m"), "time": local.strftime("%H:%M")}
    moments = [timing.at_ist(local.date() - dt.timedelta(days=1), 18), starts_at - dt.timedelta(hours=1)]
    return sum(1 for m in moments if m > svc.clock() and svc.schedule(
        user_id, "asha_notify_appointment", fields, m, dedupe=f"appt:{ref}:{m.isoformat()}", kind="appointment"))


def checkup_reminder(svc: NotifyService, user_id: uuid.UUID, due_on: dt.date, *, ref: str) -> bool:
    """Antenatal (or other) check-up: the day before at 09:00 IST."""
    moment = timing.at_ist(due_on - dt.timedelta(days=1), 9)
    if moment <= svc.clock():
        return False
    return bool(svc.schedule(user_id, "asha_notify_checkup", {"date": due_on.strftime("%d/%m")}, moment,
                             dedupe=f"checkup:{ref}:{due_on}", kind="checkup"))


def emergency_alert(svc: NotifyService, asha_id: uuid.UUID, code: str, patient_id: uuid.UUID, *,
                    village: str = "", area: bool = False) -> bool:
    """At once, even in quiet hours; at most one alert per ASHA and patient per hour. ``area``: she
    serves the patient's village but did not register them (the message names the village)."""
    now = svc.clock()
    key, fields = (("asha_notify_emergency_area", {"code": code or "-", "village": village}) if area
                   else ("asha_notify_emergency", {"code": code}))
    return bool(svc.schedule(asha_id, key, fields, now, urgent=True,
                             dedupe=f"sos:{asha_id}:{patient_id}:{now:%Y%m%d%H}", kind="emergency"))


def emergency_alerts(svc: NotifyService, asha: Any, patient_id: uuid.UUID, village: str, *,
                     reporter: uuid.UUID | None = None) -> int:
    """Every ASHA who must hear of this emergency (:meth:`engine.asha.AshaService.responders`: the
    one who registered the patient, those whose area covers the village), each once — except the
    ``reporter``, who is with the patient. Returns how many alerts were scheduled."""
    return sum(emergency_alert(svc, r.asha_id, r.code, patient_id, village=village, area=not r.registrar)
               for r in asha.responders(patient_id, village) if r.asha_id != reporter)


def asha_alerts(svc: NotifyService, asha: Any | None = None) -> Callable[..., None]:
    """The ``alerts`` callback of :class:`engine.asha.AshaService`: with ``asha`` an emergency an
    ASHA reports on a visit reaches the other ASHAs of the patient's village; without, only her."""

    def alert(event: str, asha_id: uuid.UUID, patient_id: uuid.UUID, code: str, village: str = "") -> None:
        if event != "emergency":
            return
        if asha is None:
            emergency_alert(svc, asha_id, code, patient_id)
        else:
            emergency_alerts(svc, asha, patient_id, village, reporter=asha_id)

    return alert


def alert_patients_asha(svc: NotifyService, asha: Any, patient_id: uuid.UUID, village: str | None = None) -> int:
    """An emergency was triaged for ``patient_id`` by the bot: tell the ASHA who registered them and
    the ASHAs whose area covers their village. The village is read from the patient's records
    profile by the bot acting for the patient (audited) unless given."""
    if village is None:
        from records import Actor, Purpose

        village = asha.patient_village(patient_id, Actor.patient(patient_id), Purpose.TRIAGE)
    return emergency_alerts(svc, asha, patient_id, village)


def pharmacy_notifier(svc: NotifyService) -> Callable[[Any], None]:
    """``PharmacyService.notifier``: each reservation status change reaches the patient once."""
    from engine.pharmacy.notify import notification_fields, notification_key

    def notify(view: Any) -> None:
        svc.schedule(view.patient_id, notification_key(view), notification_fields(view), svc.clock(),
                     dedupe=f"rsv:{view.id}:{view.status}", kind="pickup")

    return notify


def daily_summaries(svc: NotifyService, asha: Any, day: dt.date, hour: int = 8) -> int:
    """Each verified, active ASHA with follow-ups due (or overdue) gets one morning summary."""
    from sqlalchemy import select

    from engine.asha.models import AshaWorker
    from engine.asha.text import fit

    with asha.sessions() as s:
        workers = list(s.scalars(select(AshaWorker.user_id).where(AshaWorker.verified_at.is_not(None),
                                                                  AshaWorker.active.is_(True))))
    count = 0
    for asha_id in workers:
        due = asha.open_follow_ups(asha_id, day)
        if not due:
            continue
        items = fit("; ".join(f"{r.code} {r.label.split(' ')[0]}" for r in due))[:90]
        if svc.schedule(asha_id, "asha_notify_daily", {"count": str(len(due)), "items": items},
                        timing.at_ist(day, hour), dedupe=f"daily:{asha_id}:{day}", kind="daily"):
            count += 1
    return count


def attach_pharmacy_notifier(pharmacy: Any, notify: Callable[[], NotifyService]) -> Any:
    """Gives a ``PharmacyService`` the patient notifications (used where the service is built):
    ``notify`` gives the notify service of the same process (:class:`engine.services.ProcessServices`).

    Notification trouble (no Twilio account on a demo machine, say) must never stop a
    reservation, so a failure here leaves the service without a notifier and says why once.
    """
    try:
        pharmacy.notifier = pharmacy_notifier(notify())
    except Exception as exc:  # noqa: BLE001 - reservations work without notifications
        import logging

        logging.getLogger(__name__).warning("pharmacy notifications off: %s", type(exc).__name__)
    return pharmacy
