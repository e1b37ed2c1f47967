"""The gateway's ASHA hook: a verified ASHA's command messages go to :mod:`engine.asha`, not Rasa.

Cheap for everyone else: only a message whose first word (of any line) is an ASHA command word
costs a database lookup of the sender's salted hash; anyone who is not a registered ASHA falls
through to the bot as usual. ``VERIFY 123456`` from a registered but unverified ASHA completes
her phone verification; her other messages still go to the bot until then, and all of them once
an admin has deactivated her.

Also here, because they need the gateway's Twilio sender: :func:`enrol` and :func:`send_code`
for ``saathi asha register|send-code`` (the logic is :mod:`engine.asha.enrolment`, which the
portal's admin page uses with its own sender); :func:`patient_emergency`, the job that alerts
the patient's ASHAs (the one who registered them, those serving their village) after the bot
answered an emergency.
"""

from __future__ import annotations

import logging
import threading
import uuid
from typing import Any

from channels.identity import sender_id
from engine.asha import AshaService, enrolment, parse
from engine.i18n import t

log = logging.getLogger(__name__)
_services: dict[str, AshaService] = {}
_lock = threading.Lock()


def set_service(settings: Any, service: AshaService | None) -> None:
    """Tests (and the portal process) hand in the service to use for this database."""
    with _lock:
        if service is None:
            _services.pop(settings.effective_database_url, None)
        else:
            _services[settings.effective_database_url] = service


def service_for(settings: Any) -> AshaService:
    with _lock:
        url = settings.effective_database_url
        if url not in _services:
            service = AshaService.from_settings(settings, referrer=_handoff_referrer(settings),
                                                on_due=_checkup_reminder)
            service.alerts = _area_alerts(service)
            _services[url] = service
        return _services[url]


def _area_alerts(service: AshaService):  # type: ignore[no-untyped-def]
    """An emergency an ASHA reports on a visit also reaches the other ASHAs of the patient's
    village (engine.notify); trouble sending must never lose the visit, so it is only logged."""

    def alert(event: str, asha_id: uuid.UUID, patient_id: uuid.UUID, code: str, village: str = "") -> None:
        from engine.notify import jobs, producers

        try:
            producers.asha_alerts(jobs.service(), service)(event, asha_id, patient_id, code, village)
        except Exception as exc:  # noqa: BLE001 - logged by type only
            log.warning("ASHA area alert failed: %s", type(exc).__name__)

    return alert


def _checkup_reminder(patient_id: uuid.UUID, due_on: Any, ref: str) -> None:
    """ANC visits and vaccinations: the patient is reminded the day before (engine.notify)."""
    from engine.notify import jobs, producers

    producers.checkup_reminder(jobs.service(), patient_id, due_on, ref=ref)


def _handoff_referrer(settings: Any):  # type: ignore[no-untyped-def]
    """Cases go to the portal's doctor queue (built lazily: the portal is only needed for REFER)."""
    state: dict[str, Any] = {}

    def refer(patient_id: uuid.UUID, *, text: str, triage: dict[str, Any], language: str) -> None:
        if "handoff" not in state:
            from portal.services import build

            state["handoff"] = build(settings).handoff
        state["handoff"].request_doctor(patient_id, text=text, triage=triage, language=language, channel="sms")

    return refer


def asha_reply(settings: Any, sender: str, text: str) -> str | None:
    """The reply to an ASHA's command message, or None when the bot should answer instead."""
    if not text or not parse.starts_with_command(text):
        return None
    try:
        service = service_for(settings)
        worker = service.worker(sender)
    except Exception as exc:  # noqa: BLE001 - the bot must keep working if the ASHA tables are down
        log.warning("ASHA lookup failed: %s", type(exc).__name__)
        return None
    if worker is None or not worker.active:
        return None
    first = parse.parse_line(text.splitlines()[0])
    language = first.language or worker.language
    if isinstance(first, parse.Command) and first.name == "verify" and not worker.verified:
        ok = service.verify(sender, first.number or "")
        return t("asha_verified" if ok else "asha_verify_failed", language)
    if not worker.verified:
        return None
    try:
        return service.handle(worker, text)
    except Exception as exc:  # noqa: BLE001 - logged by type only: the text names people and symptoms
        log.error("ASHA command failed: %s", type(exc).__name__)
        return t("asha_failed", language)


def _send(settings: Any, sender: Any | None) -> enrolment.Send:
    if sender is None:
        from channels.outbound import TwilioSender
        from channels.store import open_store

        sender = TwilioSender(settings, open_store(settings.redis_url))
    return lambda to, body: sender.send_message(to, body)


def send_code(settings: Any, service: AshaService, user_id: uuid.UUID, phone: str, language: str,
              sender: Any | None = None) -> None:
    """A new one-time code, by SMS to the ASHA's phone."""
    enrolment.send_code(service, _send(settings, sender), user_id, phone, language)


def enrol(settings: Any, *, name: str, village: str, area: str, language: str, phone: str,
          service: AshaService | None = None, sender: Any | None = None,
          serves: list[str] | None = None) -> uuid.UUID:
    """Register an ASHA (records + ASHA tables) and text her the verification code."""
    return enrolment.enrol(service or service_for(settings), _send(settings, sender), settings.sender_salt,
                           name=name, village=village, area=area, language=language, phone=phone, serves=serves)


def patient_emergency(payload: dict[str, Any]) -> None:
    """Job after the bot answered an emergency: alert the ASHA who registered this patient and
    those whose area covers the patient's village.

    Runs off the webhook (``gateway.jobs``); the payload's address is only used to find the person:
    by the phone identity (ASHA-registered patients) or by the gateway's pseudonym of it, which is
    how the bot itself finds every patient (``get_or_create_patient("sender", …)``).
    """
    from engine.notify import jobs as notify_jobs
    from engine.notify.producers import alert_patients_asha
    from saathi.settings import load

    settings = load()
    service = service_for(settings)
    records = service.records
    patient_id = (records.find_user("phone", payload["address"])
                  or records.find_user("sender", sender_id(payload["address"], settings.sender_salt)))
    if patient_id is not None:
        alert_patients_asha(notify_jobs.service(), service, patient_id)
