"""Who is talking, without storing who they are.

Rasa, the logs and the gateway's own state only ever see a salted hash of the phone number;
the number itself is needed only to reply, and lives only in the request being answered (or in
the job that answers it).
"""

from __future__ import annotations

import hashlib
import hmac
import re

_PREFIX = re.compile(r"^(whatsapp|sms|tel|client):", re.IGNORECASE)


def bare_number(address: str) -> str:
    """'whatsapp:+9198…' -> '+9198…' (the same person on WhatsApp, SMS and voice)."""
    return _PREFIX.sub("", address or "").strip()


def sender_id(address: str, salt: str) -> str:
    """Salted, keyed hash of the phone number: stable per person, useless without the salt."""
    digest = hmac.new(salt.encode(), bare_number(address).encode(), hashlib.sha256).hexdigest()
    return f"u-{digest[:32]}"


def phone_hash(phone: str, salt: str) -> str:
    """:func:`sender_id` of a number typed by a person ("98123 45678", "098123…", "+91 98123…").

    Twilio always sends E.164, so a number entered in the portal or on the command line is first
    spelt the way the records spell phone numbers; otherwise its hash would never match the
    sender's and the pharmacist's SMS would silently go to the bot."""
    from records.service import normalise_address

    return sender_id(normalise_address("phone", phone), salt)
