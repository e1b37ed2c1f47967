"""Registering an ASHA and texting her phone a one-time code: one implementation for the CLI
(``saathi asha register|send-code``, through :mod:`channels.asha`) and the portal's admin page.

How the text leaves is the caller's: ``send(to, body)`` (the gateway's Twilio sender, or the
portal's notifier). The number is spelt as the records spell phone numbers before it is hashed,
so "98765 00001" typed by an admin gives the same pseudonym as Twilio's "+919876500001" — the
one the gateway looks her up by when she answers ``VERIFY 123456``.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from engine.i18n import LANGUAGES, t
from records.identity import (
    normalise_phone,
    sender_id,  # the gateway's pseudonym of a number (plain hashlib)
)

#: Sends one text; its result goes back to the caller (a SID, or the notifier's True/False).
Send = Callable[[str, str], Any]
_E164 = re.compile(r"^\+\d{10,15}$")


def phone_number(phone: str) -> str:
    """'+91XXXXXXXXXX' for any way of writing a mobile number; ValueError if it is none."""
    number = normalise_phone(phone or "")
    if not _E164.match(number):
        raise ValueError("a mobile number is needed, e.g. +91 98765 43210")
    return number


def phone_hash(phone: str, salt: str) -> str:
    return sender_id(phone_number(phone), salt)


def send_code(service: Any, send: Send, user_id: uuid.UUID, phone: str, language: str) -> Any:
    """A new one-time code for this ASHA (the old one stops working), by SMS to her phone."""
    number = service.issue_code(user_id)
    return send(phone_number(phone), t("asha_otp", language, number=number))


def enrol(service: Any, send: Send, salt: str, *, name: str, village: str, area: str, language: str,
          phone: str, serves: Iterable[str] | None = None) -> uuid.UUID:
    """Register an ASHA (records user and profile, her phone, the villages she serves) and text
    her the verification code. ValueError for a missing name, a bad number or language, a phone
    already registered."""
    if not (name or "").strip():
        raise ValueError("a name is needed")
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}")
    number = phone_number(phone)
    user_id = service.register_worker(name=name.strip(), village=(village or "").strip(), area=(area or "").strip(),
                                      language=language, phone=number, phone_hash=sender_id(number, salt),
                                      serves=serves)
    send_code(service, send, user_id, number, language)
    return user_id


def registered_phone(service: Any, user_id: uuid.UUID) -> str | None:
    """Her number as the records hold it (sealed with her key), to send a new code to."""
    from engine.notify.addresses import RecordsAddressBook

    recipient = RecordsAddressBook(service.records, "").recipient(user_id)
    return recipient.address if recipient else None


def resend_code(service: Any, send: Send, user_id: uuid.UUID) -> Any:
    """A new code to a registered ASHA's own phone; LookupError if she is unknown or inactive."""
    worker = service.worker_by_id(user_id)
    phone = registered_phone(service, user_id) if worker and worker.active else None
    if worker is None or phone is None:
        raise LookupError("not an active registered ASHA")
    return send_code(service, send, user_id, phone, worker.language)
