"""Step-up identity where the phone number is the only identity: SMS and voice (issue #14 finding 5).

Caller ID and an SMS sender can be spoofed; a WhatsApp sender cannot (Twilio/Meta authenticate it).
So over SMS and phone calls:

* reading, exporting, sharing or deleting a record needs a one-time code, sent to the *same number's
  WhatsApp* (a spoofer of the number does not hold its WhatsApp account), or a PIN the person set
  over WhatsApp. A right code or PIN opens record access for :data:`GRANT_SECONDS`; five wrong
  entries lock it for :data:`LOCK_SECONDS` (WhatsApp keeps working);
* a withheld or invalid caller ID is no identity at all: the call gets a pseudonym of its own
  (bound to the CallSid, :func:`call_pseudonym`) and never any record;
* a registered ASHA's or pharmacist's command needs their PIN once per day (IST), then not again
  until midnight; wrong PINs are limited the same way.

Plain Python over the gateway's :class:`engine.store.Store` (Redis, or memory in the embedded demo)
and a :class:`PinBook` (records.RecordsService: argon2 hashes). Codes are kept only as a keyed hash.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

import phonenumbers

from config.timezone import IST
from engine.store import Store

#: Defaults of the settings ``SAATHI_STEPUP_*`` (config.settings): how long a one-time code is valid.
CODE_SECONDS = 600
#: How long a right code or PIN keeps record access open for this sender over SMS and voice.
GRANT_SECONDS = 900
#: Wrong codes or PINs in a row before access from SMS and voice is locked …
MAX_TRIES = 5
#: … for this long.
LOCK_SECONDS = 1800
CODE_DIGITS = 6

_ENTRY = re.compile(r"^\s*(?:pin|पिन|ਪਿੰਨ|code|कोड|ਕੋਡ)?\s*[:\-]?\s*(\d{4,8})\s*#?\s*$", re.IGNORECASE)
#: "SET PIN 4821" (also "पिन सेट 4821", "ਪਿੰਨ ਸੈੱਟ 4821"): "PIN 141001" alone is a postal PIN code.
_SET_PIN = re.compile(r"^\s*(?:set\s+pin|pin\s+set|पिन\s+सेट|सेट\s+पिन|ਪਿੰਨ\s+ਸੈੱਟ|ਸੈੱਟ\s+ਪਿੰਨ)\s*[:\-]?\s*(\S*)\s*$",
                      re.IGNORECASE)
#: What Twilio and carriers put in ``From`` for a caller who withheld their number.
WITHHELD = frozenset({"", "anonymous", "restricted", "private", "unknown", "unavailable", "+266696687",
                      "266696687", "+7378742833", "+2562533", "+86282452253", "+8656696"})


class PinBook(Protocol):
    """Where PINs live (records.RecordsService)."""

    def check_access_pin(self, subject: str, pin: str) -> bool | None: ...
    def set_access_pin(self, subject: str, pin: str) -> None: ...


class Outcome(Enum):
    OPENED = "opened"  # right code or PIN
    WRONG = "wrong"  # wrong, tries left
    LOCKED = "locked"  # too many wrong entries: locked now, or already


@dataclass(frozen=True)
class Entry:
    outcome: Outcome
    left: int = 0  # tries left after a wrong entry
    text: str = ""  # what the sender had asked for, to ask again once opened


def entered_secret(text: str) -> str | None:
    """The digits of "482193", "PIN 4821", "code: 482193", "4821#"; None for anything else."""
    match = _ENTRY.match(text or "")
    return match.group(1) if match else None


def pin_to_set(text: str) -> str | None:
    """The new PIN in "SET PIN 4821" / "पिन सेट 4821"; "" when the words are there but the
    digits are not a good PIN; None when the message is not about a PIN at all."""
    match = _SET_PIN.match(text or "")
    if not match:
        return None
    pin = match.group(1)
    return pin if good_pin(pin) else ""


def good_pin(pin: str) -> bool:
    """4-6 digits, not all the same ("1111") and not a plain run ("1234", "9876")."""
    if not re.fullmatch(r"\d{4,6}", pin or ""):
        return False
    steps = {int(b) - int(a) for a, b in zip(pin, pin[1:], strict=False)}
    return steps not in ({0}, {1}, {-1})


def withheld(address: str) -> bool:
    """Whether a caller ID is no identity: withheld ("anonymous", "restricted", Twilio's +266696687
    and the other placeholder numbers carriers send), empty, or not a possible E.164 number (test
    numbers such as +1 555 … stay possible)."""
    from records.identity import bare_number

    number = bare_number(address).strip()
    if number.lower() in WITHHELD or not number.startswith("+"):
        return True
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return True
    return not phonenumbers.is_possible_number(parsed)


def call_pseudonym(call_sid: str, salt: str) -> str:
    """A sender id for one call without a caller ID: never the same as anyone's, never shared
    between two such calls (``c-`` keeps it apart from the ``u-`` pseudonyms of numbers)."""
    digest = hmac.new(salt.encode(), f"call\x00{call_sid}".encode(), hashlib.sha256).hexdigest()
    return f"c-{digest[:32]}"


class StepUp:
    """The per-sender state of step-up identity, in the gateway's store."""

    def __init__(self, store: Store, pins: PinBook, secret: str, clock=None, *,  # type: ignore[no-untyped-def]
                 code_seconds: int = CODE_SECONDS, grant_seconds: int = GRANT_SECONDS, max_tries: int = MAX_TRIES,
                 lock_seconds: int = LOCK_SECONDS) -> None:
        self.store = store
        self.pins = pins
        self._secret = secret.encode()
        self._clock = clock or (lambda: dt.datetime.now(IST))
        self.code_seconds, self.grant_seconds = code_seconds, grant_seconds
        self.max_tries, self.lock_seconds = max(1, max_tries), lock_seconds

    def _hash(self, sender: str, code: str) -> str:
        return hmac.new(self._secret, f"{sender}\x00{code}".encode(), hashlib.sha256).hexdigest()

    # --- record access -----------------------------------------------------------------------

    def granted(self, sender: str) -> bool:
        return bool(self.store.get(f"stepup:ok:{sender}"))

    def locked(self, sender: str) -> bool:
        return bool(self.store.get(f"stepup:lock:{sender}"))

    def pending(self, sender: str) -> dict | None:
        """What the sender asked for before the code was asked ({"text": …}), while a code is due."""
        value = self.store.get(f"stepup:pending:{sender}")
        return value if isinstance(value, dict) else None

    def challenge(self, sender: str, text: str) -> str | None:
        """Remember ``text`` (to ask again once opened) and make a new code; None when no new code
        is to be sent: locked, or a code sent earlier is still valid (no WhatsApp flood)."""
        if self.locked(sender):
            return None
        self.store.set(f"stepup:pending:{sender}", {"text": text}, ttl=self.code_seconds)
        if self.store.get(f"stepup:code:{sender}"):
            return None
        code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
        self.store.set(f"stepup:code:{sender}", self._hash(sender, code), ttl=self.code_seconds)
        return code

    def enter(self, sender: str, secret: str) -> Entry:
        """Check a code or PIN for record access; the sender's tries are counted either way."""
        if self.locked(sender):
            return Entry(Outcome.LOCKED)
        code = self.store.get(f"stepup:code:{sender}")
        right = bool(code) and hmac.compare_digest(str(code), self._hash(sender, secret))
        if not right:
            right = self.pins.check_access_pin(sender, secret) is True
        if right:
            asked = (self.pending(sender) or {}).get("text") or ""
            for key in ("code", "tries", "pending"):
                self.store.delete(f"stepup:{key}:{sender}")
            self.store.set(f"stepup:ok:{sender}", True, ttl=self.grant_seconds)
            return Entry(Outcome.OPENED, text=asked)
        return self._wrong(sender, "tries")

    def _wrong(self, sender: str, counter: str) -> Entry:
        tries = self.store.incr(f"stepup:{counter}:{sender}", ttl=self.lock_seconds)
        if tries >= self.max_tries:
            self.store.set(f"stepup:lock:{sender}", True, ttl=self.lock_seconds)
            for key in ("code", "pending", counter):
                self.store.delete(f"stepup:{key}:{sender}")
            return Entry(Outcome.LOCKED)
        return Entry(Outcome.WRONG, left=self.max_tries - tries)

    def forget(self, sender: str) -> None:
        """Drop a pending request (the sender went on with something else)."""
        self.store.delete(f"stepup:pending:{sender}")

    # --- ASHA and pharmacist commands -----------------------------------------------------------

    def _today_key(self, sender: str) -> str:
        return f"stepup:day:{sender}:{self._clock().date().isoformat()}"

    def _seconds_to_midnight(self) -> int:
        now = self._clock()
        midnight = dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time(), tzinfo=now.tzinfo)
        return max(60, int((midnight - now).total_seconds()))

    def worker_open_today(self, sender: str) -> bool:
        return bool(self.store.get(self._today_key(sender)))

    def hold_command(self, sender: str, text: str) -> None:
        """Keep the command that asked for the PIN, to do it once the PIN is given."""
        self.store.set(f"stepup:command:{sender}", {"text": text}, ttl=self.code_seconds)

    def held_command(self, sender: str) -> str | None:
        value = self.store.get(f"stepup:command:{sender}")
        return value.get("text") if isinstance(value, dict) else None

    def drop_command(self, sender: str) -> None:
        self.store.delete(f"stepup:command:{sender}")

    def enter_worker_pin(self, sender: str, pin: str) -> Entry:
        """A worker's daily PIN: right opens their commands until midnight (IST)."""
        if self.store.get(f"stepup:wlock:{sender}"):
            return Entry(Outcome.LOCKED)
        if self.pins.check_access_pin(sender, pin) is True:
            self.store.delete(f"stepup:wtries:{sender}")
            self.store.set(self._today_key(sender), True, ttl=self._seconds_to_midnight())
            return Entry(Outcome.OPENED)
        tries = self.store.incr(f"stepup:wtries:{sender}", ttl=self.lock_seconds)
        if tries >= self.max_tries:
            self.store.set(f"stepup:wlock:{sender}", True, ttl=self.lock_seconds)
            self.store.delete(f"stepup:wtries:{sender}")
            self.store.delete(f"stepup:command:{sender}")
            return Entry(Outcome.LOCKED)
        return Entry(Outcome.WRONG, left=self.max_tries - tries)
