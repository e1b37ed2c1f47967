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
