"""The gateway's pharmacist hook: a registered pharmacist's SMS commands go to :mod:`engine.pharmacy.sms`.

``STOCK PARACETAMOL 500 120``, ``READY 123456``, ``DONE 123456``, ``CANCEL 123456``, ``HELP``
(also स्टॉक/ਸਟਾਕ, तैयार/ਤਿਆਰ …) from the phone linked to a pharmacy (``Pharmacy.sms_phone_hash``, the
same salted hash as the gateway's sender id) are answered by the pharmacy engine, not Rasa.

Cheap for everyone else: only a message that looks like a command (first word a command word, a
pickup code after READY/DONE/CANCEL) costs one indexed lookup; anyone else falls through to the
bot as before. A bare "CANCEL" never looks like a command, so it stays the SMS opt-out word.

The service (``channels.services``: the gateway's, on its one engine) comes with the patient notifier (:func:`engine.notify.producers.attach_pharmacy_notifier`),
so ``READY <code>`` by SMS tells the patient exactly as the portal's button does.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from engine.i18n import t
from engine.pharmacy.sms import handle_stock_command, is_pharmacist, looks_like_command

if TYPE_CHECKING:
    from channels.services import GatewayServices

log = logging.getLogger(__name__)


def pharmacist_command(services: GatewayServices, sender: str, text: str) -> bool:
    """Whether ``text`` is a command from a registered pharmacist's phone (False if tables are down)."""
    if not text or not looks_like_command(text):
        return False
    try:
        return is_pharmacist(sender, services.pharmacy)
    except Exception as exc:  # noqa: BLE001 - the bot must keep working if the pharmacy tables are down
        log.warning("pharmacist lookup failed: %s", type(exc).__name__)
        return False


def pharmacist_reply(services: GatewayServices, sender: str, text: str) -> str | None:
    """The reply to a pharmacist's command, or None when the bot should answer instead."""
    if not pharmacist_command(services, sender, text):
        return None
    try:
        return handle_stock_command(sender, text, services.pharmacy)
    except Exception as exc:  # noqa: BLE001 - by type only: SQL errors quote medicine names and codes
        log.error("pharmacist command failed: %s", type(exc).__name__)
        return t("pharmacy_unavailable", services.settings.default_language)
