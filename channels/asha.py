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
import uuid
from typing import TYPE_CHECKING, Any

from engine.asha import AshaService, enrolment, parse
from engine.i18n import t

if TYPE_CHECKING:
    from channels.services import GatewayServices

log = logging.getLogger(__name__)


def commanding_worker(services: GatewayServices, sender: str, text: str) -> Any | None:
    """The active ASHA whose command ``text`` is, or None (not a command, not an ASHA, tables down)."""
    if not text or not parse.starts_with_command(text):
        return None
    try:
        worker = services.asha.worker(sender)
    except Exception as exc:  # noqa: BLE001 - the bot must keep working if the ASHA tables are down
        log.warning("ASHA lookup failed: %s", type(exc).__name__)
        return None
    return worker if worker is not None and worker.active else None


def needs_daily_pin(services: GatewayServices, sender: str, text: str) -> str | None:
    """The language to ask a verified ASHA for her daily PIN in, when ``text`` is one of her
    commands (channels.pipeline.stepup); None otherwise. ``VERIFY`` before she is verified needs
    no PIN: its code went to her phone by SMS."""
    worker = commanding_worker(services, sender, text)
    if worker is None or not worker.verified:
        return None
    first = parse.parse_line(text.splitlines()[0])
    return first.language or worker.language


def asha_reply(services: GatewayServices, sender: str, text: str) -> str | None:
    """The reply to an ASHA's command message, or None when the bot should answer instead."""
    worker = commanding_worker(services, sender, text)
    if worker is None:
        return None
    service = services.asha
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
        from engine.outbound import TwilioSender
        from engine.store import open_store

        sender = TwilioSender(settings, open_store(settings.redis_url))
    return lambda to, body: sender.send_message(to, body)


def send_code(settings: Any, service: AshaService, user_id: uuid.UUID, phone: str, language: str,
              sender: Any | None = None) -> None:
    """A new one-time code, by SMS to the ASHA's phone."""
    enrolment.send_code(service, _send(settings, sender), user_id, phone, language)


def enrol(settings: Any, service: AshaService, *, name: str, village: str, area: str, language: str, phone: str,
          sender: Any | None = None, serves: list[str] | None = None) -> uuid.UUID:
    """Register an ASHA (records + ASHA tables) and text her the verification code."""
    return enrolment.enrol(service, _send(settings, sender), settings.sender_salt,
                           name=name, village=village, area=area, language=language, phone=phone, serves=serves)


def patient_emergency(payload: dict[str, Any]) -> None:
    """Job after the bot answered an emergency: alert the ASHA who registered this patient and
    those whose area covers the patient's village.

    Runs off the webhook (``gateway.jobs``); the payload's address is only used to find the person:
    by the phone identity (ASHA-registered patients) or by the gateway's pseudonym of it, which is
    how the bot itself finds every patient (``get_or_create_patient("sender", …)``).
    """
    from channels.context import worker_gateway
    from engine.notify import jobs as notify_jobs
    from engine.notify.producers import alert_patients_asha

    gateway = worker_gateway()
    service = gateway.services.asha
    patient_id = service.records.number_owner(payload["address"], gateway.settings.sender_salt)
    if patient_id is not None:
        alert_patients_asha(notify_jobs.service(), service, patient_id)
