"""The gateway's pharmacist hook: a registered pharmacist's SMS commands go to :mod:`engine.pharmacy.sms`.

``STOCK PARACETAMOL 500 120``, ``READY 123456``, ``DONE 123456``, ``CANCEL 123456``, ``HELP``
(also स्टॉक/ਸਟਾਕ, तैयार/ਤਿਆਰ …) from the phone linked to a pharmacy (``Pharmacy.sms_phone_hash``, the
same salted hash as the gateway's sender id) are answered by the pharmacy engine, not Rasa.

Cheap for everyone else: only a message that looks like a command (first word a command word, a
pickup code after READY/DONE/CANCEL) costs one indexed lookup; anyone else falls through to the
bot as before. A bare "CANCEL" never looks like a command, so it stays the SMS opt-out word.

The service is built with the patient notifier (:func:`engine.notify.producers.attach_pharmacy_notifier`),
so ``READY <code>`` by SMS tells the patient exactly as the portal's button does.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from engine.i18n import t
from engine.pharmacy import PharmacyService
from engine.pharmacy.sms import handle_stock_command, is_pharmacist, looks_like_command

log = logging.getLogger(__name__)
_services: dict[str, PharmacyService] = {}
_lock = threading.Lock()


def set_service(settings: Any, service: PharmacyService | None) -> None:
    """Tests (and a process that already has one) hand in the service to use for this database."""
    with _lock:
        if service is None:
            _services.pop(settings.effective_database_url, None)
        else:
            _services[settings.effective_database_url] = service


def service_for(settings: Any) -> PharmacyService:
    """One pharmacy service per database, with patient notifications attached."""
    with _lock:
        url = settings.effective_database_url
        if url not in _services:
            from engine.notify.producers import attach_pharmacy_notifier

            _services[url] = attach_pharmacy_notifier(PharmacyService.from_settings(settings))
        return _services[url]


def pharmacist_reply(settings: Any, sender: str, text: str) -> str | None:
    """The reply to a pharmacist's command, or None when the bot should answer instead."""
    if not text or not looks_like_command(text):
        return None
    try:
        service = service_for(settings)
        if not is_pharmacist(sender, service):
            return None
    except Exception as exc:  # noqa: BLE001 - the bot must keep working if the pharmacy tables are down
        log.warning("pharmacist lookup failed: %s", type(exc).__name__)
        return None
    try:
        return handle_stock_command(sender, text, service)
    except Exception as exc:  # noqa: BLE001 - by type only: SQL errors quote medicine names and codes
        log.error("pharmacist command failed: %s", type(exc).__name__)
        return t("pharmacy_unavailable", settings.default_language)
