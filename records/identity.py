"""Who is talking, without storing who they are: phone numbers and their salted pseudonyms.

The records own identity: a phone number is spelt one way (E.164) wherever it is stored, hashed
or compared, and Rasa, the logs and the gateway's own state only ever see :func:`sender_id`, a
salted hash of it. The number itself is needed only to reply, and lives only in the request
being answered (or in the job that answers it), or sealed in the records.
"""

from __future__ import annotations

import hashlib
import hmac
import re

import phonenumbers

_PREFIX = re.compile(r"^(whatsapp|sms|tel|client):", re.IGNORECASE)
#: Numbers without a country code are Indian.
REGION = "IN"


def bare_number(address: str) -> str:
    """'whatsapp:+9198…' -> '+9198…' (the same person on WhatsApp, SMS and voice)."""
    return _PREFIX.sub("", address or "").strip()


def normalise_phone(address: str) -> str:
    """One spelling (E.164) for any way of writing a number: '98123 45678', '098123…', '0091 98123…',
    '+91 (0) 98123…' and 'whatsapp:+9198123…' are all '+919812345678'.

    Parsed by ``phonenumbers`` (Google's libphonenumber rules). What it cannot read as a possible
    number keeps the old spelling, '+' and the digits: the simulator's '+000…' numbers are not real
    numbers but must keep their own identity, and callers that need a real number check it."""
    text = bare_number(address)
    try:
        number = phonenumbers.parse(text, REGION)
    except phonenumbers.NumberParseException:
        number = None
    if number is not None and phonenumbers.is_possible_number(number):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return "+" + "".join(ch for ch in text if ch.isdigit())


def sender_id(address: str, salt: str) -> str:
    """Salted, keyed hash of the phone number: stable per person, useless without the salt."""
    digest = hmac.new(salt.encode(), bare_number(address).encode(), hashlib.sha256).hexdigest()
    return f"u-{digest[:32]}"


def phone_hash(phone: str, salt: str) -> str:
    """:func:`sender_id` of a number typed by a person ("98123 45678", "098123…", "+91 98123…").

    Twilio always sends E.164, so a number entered in the portal or on the command line is first
    spelt the way the records spell phone numbers; otherwise its hash would never match the
    sender's and the pharmacist's SMS would silently go to the bot."""
    return sender_id(normalise_phone(phone), salt)
