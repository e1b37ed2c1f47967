"""Twilio's Messaging webhook form, normalised into one message type for WhatsApp and SMS.

Both arrive at the same URL; ``From`` tells them apart (``whatsapp:+91…`` or a bare number). What
only one type has is read by that type (a shared pin: :mod:`channels.types.whatsapp.location`).

Forms come from the internet: every field is optional here, numbers may be garbage, and a
malformed form becomes a message with what could be read (never an exception).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from channels.types.whatsapp.location import SharedLocation, parse_location
from records.identity import bare_number


@dataclass(frozen=True)
class Media:
    url: str
    content_type: str


@dataclass(frozen=True)
class InboundMessage:
    channel: str  # "whatsapp" | "sms"
    address: str  # the sender as Twilio wrote it ("whatsapp:+91…"), used only to reply
    to: str  # our number that received it (replies go out from it)
    sid: str
    text: str
    media: tuple[Media, ...] = field(default_factory=tuple)
    location: SharedLocation | None = None

    @property
    def number(self) -> str:
        return bare_number(self.address)


def _int(value: str | None, default: int = 0, ceiling: int = 10) -> int:
    try:
        return max(0, min(int(value or default), ceiling))
    except ValueError:
        return default


def parse_message(form: Mapping[str, str]) -> InboundMessage | None:
    """The message in a Twilio Messaging webhook, or None when there is no sender to answer."""
    address = (form.get("From") or "").strip()
    if not address:
        return None
    channel = "whatsapp" if address.lower().startswith("whatsapp:") else "sms"
    media = []
    for index in range(_int(form.get("NumMedia"))):
        url = (form.get(f"MediaUrl{index}") or "").strip()
        if url:
            kind = (form.get(f"MediaContentType{index}") or "").split(";")[0].strip().lower()
            media.append(Media(url=url, content_type=kind))
    return InboundMessage(
        channel=channel,
        address=address,
        to=(form.get("To") or "").strip(),
        sid=(form.get("MessageSid") or form.get("SmsMessageSid") or "").strip(),
        text=(form.get("Body") or "").strip(),
        media=tuple(media),
        location=parse_location(form),
    )
