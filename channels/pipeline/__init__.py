"""The steps every channel type takes before its own, in safety-first order, in one place.

1. **Signature**: every Twilio webhook proves it comes from our account
   (:func:`channels.pipeline.signature.twilio_signed` on each route; 403 before anything else).
2. **De-duplication**: Twilio retries a webhook it got no answer to in time; the retry must not be
   processed twice (:func:`first_delivery`: a message SID for WhatsApp and SMS, the call step and
   its input for a call).
3. **Rate limit** per sender and minute (``SAATHI_RATE_LIMIT_PER_MINUTE``), for the types that
   declare it: one polite answer, then silence until the minute is over.
4. **Command hooks**: a verified ASHA's commands (:mod:`channels.asha`) and a registered
   pharmacist's (:mod:`channels.pharmacist`) are answered before the bot, for the types that carry
   typed commands; over a type whose sender can be spoofed (SMS) only after the worker's PIN, asked
   once a day (:mod:`channels.pipeline.stepup`).
5. **Step-up identity** (:mod:`channels.pipeline.stepup`): over SMS and calls, record access needs
   a code sent to the number's WhatsApp or the person's PIN; withheld caller IDs get none.

Which steps a type takes is part of its :class:`~channels.types.ChannelType`
(``channels.types.<type>.TYPE``); the outcome of each webhook is counted once here
(``saathi_webhooks_total``).
"""

from __future__ import annotations

import time
from enum import Enum
from typing import TYPE_CHECKING

from channels.asha import asha_reply
from channels.metrics import count_webhook
from channels.pharmacist import pharmacist_reply
from channels.pipeline.stepup import worker_gate
from channels.types import ChannelType

if TYPE_CHECKING:
    from channels.context import Gateway

#: How long a message SID is remembered: Twilio's retries come within minutes.
SID_TTL = 86400


class Admission(Enum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"  # a retry of a webhook already taken
    RATE_LIMITED = "rate_limited"  # the first message over the limit this minute: one polite answer
    SILENCED = "silenced"  # further over the limit: no answer at all (floods must not cost replies)


def first_delivery(gateway: Gateway, kind: ChannelType, key: str, ttl: int = SID_TTL) -> bool:
    """True the first time ``key`` is seen (within ``ttl``); a repeat is counted as a duplicate."""
    if gateway.store.add_once(key, ttl=ttl):
        return True
    count_webhook(kind.webhook_kind, "duplicate")
    return False


def admit(gateway: Gateway, kind: ChannelType, key: str, sender: str = "", ttl: int = SID_TTL) -> Admission:
    """De-duplication (by ``key``; empty = nothing to de-duplicate by) then, if ``kind`` is rate
    limited, the per-sender limit; the outcome is counted."""
    if key and not first_delivery(gateway, kind, key, ttl):
        return Admission.DUPLICATE
    if kind.rate_limited:
        limit = gateway.settings.rate_limit_per_minute
        count = gateway.store.incr(f"rate:{sender}:{int(time.time() // 60)}", ttl=120)
        if count > limit:
            count_webhook(kind.webhook_kind, "rate_limited")
            return Admission.RATE_LIMITED if count == limit + 1 else Admission.SILENCED
    count_webhook(kind.webhook_kind, "accepted")
    return Admission.ACCEPTED


def command_reply(gateway: Gateway, kind: ChannelType, sender: str, text: str) -> str | None:
    """A verified ASHA's command or a registered pharmacist's (stock, pickup codes) answered before
    the bot, or None when the bot should answer (anyone else, or a type without typed commands)."""
    if not kind.takes_commands:
        return None
    if kind.spoofable:
        gated = worker_gate(gateway, sender, text, gateway.settings.default_language)
        if gated is not None:
            return gated
    reply = asha_reply(gateway.services, sender, text)
    if reply is None:
        reply = pharmacist_reply(gateway.services, sender, text)
    return reply
